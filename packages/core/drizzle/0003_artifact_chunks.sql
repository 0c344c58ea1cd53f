CREATE TABLE "run_artifact_chunks" (
	"run_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"seq" integer NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "run_artifact_chunks_run_id_kind_seq_pk" PRIMARY KEY("run_id","kind","seq")
);
--> statement-breakpoint
ALTER TABLE "run_artifact_chunks" ADD CONSTRAINT "run_artifact_chunks_run_id_kind_run_artifacts_run_id_kind_fk" FOREIGN KEY ("run_id","kind") REFERENCES "public"."run_artifacts"("run_id","kind") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Retention: a succeeded unit keeps its final weights, not its last checkpoint.
DELETE FROM "run_artifacts" a USING "runs" r
  WHERE r."id" = a."run_id" AND a."kind" = 'checkpoint' AND r."status" = 'succeeded';--> statement-breakpoint
-- Each stored artifact becomes one chunk (readers take chunks of any size).
INSERT INTO "run_artifact_chunks" ("run_id", "kind", "seq", "bytes")
  SELECT "run_id", "kind", 0, "bytes" FROM "run_artifacts";--> statement-breakpoint
ALTER TABLE "run_artifacts" DROP COLUMN "bytes";