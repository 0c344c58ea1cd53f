CREATE TABLE "experiment_test_sets" (
	"experiment_id" uuid PRIMARY KEY NOT NULL,
	"num_classes" integer NOT NULL,
	"class_names" text[] NOT NULL,
	"examples" integer NOT NULL,
	"labels" "bytea" NOT NULL,
	"example_ids" text[],
	"features" "bytea",
	"feature_dim" integer,
	"digest" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "experiment_test_sets_num_classes_positive" CHECK ("experiment_test_sets"."num_classes" >= 1),
	CONSTRAINT "experiment_test_sets_class_names_length" CHECK (cardinality("experiment_test_sets"."class_names") = "experiment_test_sets"."num_classes"),
	CONSTRAINT "experiment_test_sets_labels_length" CHECK (octet_length("experiment_test_sets"."labels") = 4 * "experiment_test_sets"."examples"),
	CONSTRAINT "experiment_test_sets_example_ids_length" CHECK ("experiment_test_sets"."example_ids" is null or cardinality("experiment_test_sets"."example_ids") = "experiment_test_sets"."examples"),
	CONSTRAINT "experiment_test_sets_features_shape" CHECK (("experiment_test_sets"."features" is null and "experiment_test_sets"."feature_dim" is null) or ("experiment_test_sets"."feature_dim" >= 1 and octet_length("experiment_test_sets"."features") = 4 * "experiment_test_sets"."examples" * "experiment_test_sets"."feature_dim"))
);
--> statement-breakpoint
CREATE TABLE "run_artifacts" (
	"run_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_artifacts_run_id_kind_pk" PRIMARY KEY("run_id","kind"),
	CONSTRAINT "run_artifacts_kind" CHECK ("run_artifacts"."kind" in ('weights', 'checkpoint'))
);
--> statement-breakpoint
CREATE TABLE "run_class_accuracy" (
	"run_id" uuid PRIMARY KEY NOT NULL,
	"overall" double precision NOT NULL,
	"accuracy" double precision[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "run_group_metrics" (
	"run_id" uuid NOT NULL,
	"attribute" text NOT NULL,
	"pos_label" integer NOT NULL,
	"metrics" jsonb NOT NULL,
	CONSTRAINT "run_group_metrics_run_id_attribute_pk" PRIMARY KEY("run_id","attribute")
);
--> statement-breakpoint
CREATE TABLE "run_predictions" (
	"run_id" uuid PRIMARY KEY NOT NULL,
	"examples" integer NOT NULL,
	"predicted" "bytea" NOT NULL,
	"probability_kind" text NOT NULL,
	"probability_width" integer,
	"top_classes" "bytea",
	"probabilities" "bytea",
	"features" "bytea",
	"feature_dim" integer,
	"results_id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"saved_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_predictions_probability_kind" CHECK ("run_predictions"."probability_kind" in ('none', 'dense', 'top-k')),
	CONSTRAINT "run_predictions_predicted_length" CHECK (octet_length("run_predictions"."predicted") = 4 * "run_predictions"."examples"),
	CONSTRAINT "run_predictions_probabilities_shape" CHECK (case "run_predictions"."probability_kind"
        when 'none' then "run_predictions"."probabilities" is null and "run_predictions"."top_classes" is null and "run_predictions"."probability_width" is null
        when 'dense' then "run_predictions"."top_classes" is null and "run_predictions"."probabilities" is not null and octet_length("run_predictions"."probabilities") = 4 * "run_predictions"."examples" * "run_predictions"."probability_width"
        else "run_predictions"."probabilities" is not null and "run_predictions"."top_classes" is not null and octet_length("run_predictions"."probabilities") = 4 * "run_predictions"."examples" * "run_predictions"."probability_width" and octet_length("run_predictions"."top_classes") = 4 * "run_predictions"."examples" * "run_predictions"."probability_width"
      end),
	CONSTRAINT "run_predictions_features_shape" CHECK (("run_predictions"."features" is null and "run_predictions"."feature_dim" is null) or ("run_predictions"."feature_dim" >= 1 and octet_length("run_predictions"."features") = 4 * "run_predictions"."examples" * "run_predictions"."feature_dim"))
);
--> statement-breakpoint
CREATE TABLE "study_summaries" (
	"experiment_id" uuid PRIMARY KEY NOT NULL,
	"summary" jsonb NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"fingerprint" text NOT NULL,
	"run_count" integer NOT NULL,
	"temperatures" double precision[] NOT NULL,
	"compute_ms" double precision NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "test_set_attributes" (
	"experiment_id" uuid NOT NULL,
	"name" text NOT NULL,
	"groups" jsonb NOT NULL,
	"codes" "bytea" NOT NULL,
	CONSTRAINT "test_set_attributes_experiment_id_name_pk" PRIMARY KEY("experiment_id","name")
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "heartbeat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "attempt" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "cancel_requested" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "worker" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "history" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "eta_seconds" double precision;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "images_per_sec" double precision;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "loss" double precision;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "accuracy" double precision;--> statement-breakpoint
ALTER TABLE "experiment_test_sets" ADD CONSTRAINT "experiment_test_sets_experiment_id_experiments_id_fk" FOREIGN KEY ("experiment_id") REFERENCES "public"."experiments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_artifacts" ADD CONSTRAINT "run_artifacts_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_class_accuracy" ADD CONSTRAINT "run_class_accuracy_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_group_metrics" ADD CONSTRAINT "run_group_metrics_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_predictions" ADD CONSTRAINT "run_predictions_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "study_summaries" ADD CONSTRAINT "study_summaries_experiment_id_experiments_id_fk" FOREIGN KEY ("experiment_id") REFERENCES "public"."experiments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "test_set_attributes" ADD CONSTRAINT "test_set_attributes_test_set_fk" FOREIGN KEY ("experiment_id") REFERENCES "public"."experiment_test_sets"("experiment_id") ON DELETE cascade ON UPDATE no action;