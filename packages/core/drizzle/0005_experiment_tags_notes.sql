-- Idempotent, like 0004: a development warehouse may already have these from an interim numbering.
ALTER TABLE "experiments" ADD COLUMN IF NOT EXISTS "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "experiments" ADD COLUMN IF NOT EXISTS "note" text;--> statement-breakpoint
ALTER TABLE "study_summaries" ADD COLUMN IF NOT EXISTS "teacher_accuracy" double precision;--> statement-breakpoint
ALTER TABLE "study_summaries" ADD COLUMN IF NOT EXISTS "nds_accuracy" double precision;--> statement-breakpoint
ALTER TABLE "study_summaries" ADD COLUMN IF NOT EXISTS "best_distilled_accuracy" double precision;--> statement-breakpoint
ALTER TABLE "study_summaries" ADD COLUMN IF NOT EXISTS "best_distilled_temperature" double precision;--> statement-breakpoint
ALTER TABLE "study_summaries" ADD COLUMN IF NOT EXISTS "max_dpd" double precision;--> statement-breakpoint
ALTER TABLE "study_summaries" ADD COLUMN IF NOT EXISTS "max_dpd_attribute" text;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "experiments_tags_idx" ON "experiments" USING gin ("tags");--> statement-breakpoint
ALTER TABLE "experiments" DROP CONSTRAINT IF EXISTS "experiments_tags_count";--> statement-breakpoint
ALTER TABLE "experiments" ADD CONSTRAINT "experiments_tags_count" CHECK (cardinality("experiments"."tags") <= 16);--> statement-breakpoint
ALTER TABLE "experiments" DROP CONSTRAINT IF EXISTS "experiments_note_length";--> statement-breakpoint
ALTER TABLE "experiments" ADD CONSTRAINT "experiments_note_length" CHECK ("experiments"."note" is null or char_length("experiments"."note") <= 4000);--> statement-breakpoint
-- The headline columns of summaries stored before them, by the rules of results/study-headline.ts:
-- the first teacher and NDS arm; the best distilled mean (lowest T on a tie); the largest DPD mean
-- of any arm on any attribute (the first in the summary's order on a tie). A NaN is stored as
-- JSON null, which ->> reads as SQL null, so it is skipped as studyHeadline skips NaN.
UPDATE "study_summaries" s SET
  "teacher_accuracy" = (
    SELECT (a->'accuracy'->>'mean')::double precision
    FROM jsonb_array_elements(s."summary"->'arms') WITH ORDINALITY AS x(a, i)
    WHERE a->>'role' = 'teacher' AND a->'accuracy'->>'mean' IS NOT NULL ORDER BY i LIMIT 1),
  "nds_accuracy" = (
    SELECT (a->'accuracy'->>'mean')::double precision
    FROM jsonb_array_elements(s."summary"->'arms') WITH ORDINALITY AS x(a, i)
    WHERE a->>'role' = 'student' AND a->'accuracy'->>'mean' IS NOT NULL ORDER BY i LIMIT 1),
  ("best_distilled_accuracy", "best_distilled_temperature") = (
    SELECT (a->'accuracy'->>'mean')::double precision, (a->>'temperature')::double precision
    FROM jsonb_array_elements(s."summary"->'arms') AS x(a)
    WHERE a->>'role' = 'distilled' AND a->'accuracy'->>'mean' IS NOT NULL
    ORDER BY (a->'accuracy'->>'mean')::double precision DESC, (a->>'temperature')::double precision ASC
    LIMIT 1),
  ("max_dpd", "max_dpd_attribute") = (
    SELECT (a->'dpd'->>'mean')::double precision, g->>'attribute'
    FROM jsonb_array_elements(s."summary"->'groupFairness') WITH ORDINALITY AS gx(g, gi),
      jsonb_array_elements(g->'arms') WITH ORDINALITY AS ax(a, ai)
    WHERE a->'dpd'->>'mean' IS NOT NULL
    ORDER BY (a->'dpd'->>'mean')::double precision DESC, gi, ai
    LIMIT 1);
