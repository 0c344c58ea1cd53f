CREATE TYPE "public"."experiment_status" AS ENUM('pending', 'running', 'succeeded', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."run_role" AS ENUM('teacher', 'student', 'distilled');--> statement-breakpoint
CREATE TYPE "public"."run_status" AS ENUM('queued', 'running', 'succeeded', 'failed', 'cancelled');--> statement-breakpoint
CREATE TABLE "experiments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"spec" jsonb NOT NULL,
	"dataset" text NOT NULL,
	"status" "experiment_status" DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"experiment_id" uuid NOT NULL,
	"role" "run_role" NOT NULL,
	"temperature" double precision,
	"seed" integer NOT NULL,
	"architecture" text NOT NULL,
	"backend" text,
	"status" "run_status" DEFAULT 'queued' NOT NULL,
	"progress" double precision DEFAULT 0 NOT NULL,
	"epoch" integer DEFAULT 0 NOT NULL,
	"summary" jsonb,
	"error" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "runs_temperature_only_when_distilled" CHECK (("runs"."role" = 'distilled') = ("runs"."temperature" is not null)),
	CONSTRAINT "runs_temperature_positive" CHECK ("runs"."temperature" is null or "runs"."temperature" > 0),
	CONSTRAINT "runs_progress_range" CHECK ("runs"."progress" >= 0 and "runs"."progress" <= 1)
);
--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_experiment_id_experiments_id_fk" FOREIGN KEY ("experiment_id") REFERENCES "public"."experiments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "experiments_name_key" ON "experiments" USING btree ("name");--> statement-breakpoint
CREATE INDEX "experiments_dataset_idx" ON "experiments" USING btree ("dataset");--> statement-breakpoint
CREATE INDEX "experiments_status_idx" ON "experiments" USING btree ("status");--> statement-breakpoint
CREATE INDEX "runs_experiment_idx" ON "runs" USING btree ("experiment_id");--> statement-breakpoint
CREATE INDEX "runs_status_idx" ON "runs" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "runs_unit_key" ON "runs" USING btree ("experiment_id","role",coalesce("temperature", -1),"seed");