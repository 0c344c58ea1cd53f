-- Idempotent: a development warehouse may already have these from an interim numbering.
ALTER TABLE "run_artifacts" DROP CONSTRAINT IF EXISTS "run_artifacts_kind";--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN IF NOT EXISTS "teacher_outputs" text;--> statement-breakpoint
ALTER TABLE "run_artifacts" ADD CONSTRAINT "run_artifacts_kind" CHECK ("run_artifacts"."kind" in ('weights', 'checkpoint', 'teacher-logits'));--> statement-breakpoint
ALTER TABLE "runs" DROP CONSTRAINT IF EXISTS "runs_teacher_outputs";--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_teacher_outputs" CHECK ("runs"."teacher_outputs" is null or "runs"."teacher_outputs" in ('cached', 'live'));
