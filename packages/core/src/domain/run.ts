import { z } from 'zod';

/** The three arms of the study: teacher, non-distilled student (the baseline) and distilled student. */
export const runRoles = ['teacher', 'student', 'distilled'] as const;
export const runRoleSchema = z.enum(runRoles);
export type RunRole = z.infer<typeof runRoleSchema>;

export const runStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const runStatusSchema = z.enum(runStatuses);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const experimentStatuses = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export const experimentStatusSchema = z.enum(experimentStatuses);
export type ExperimentStatus = z.infer<typeof experimentStatusSchema>;

/**
 * What a finished run leaves behind. Per-class accuracy is NaN-free on purpose: a class with no
 * test examples is stored as null so the JSON stays valid.
 */
export const runSummarySchema = z.object({
  accuracy: z.number().min(0).max(1),
  classAccuracy: z.array(z.number().min(0).max(1).nullable()),
  classNames: z.array(z.string()),
  testExamples: z.number().int().nonnegative(),
  trainSeconds: z.number().nonnegative(),
  imagesPerSec: z.number().nonnegative(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;
