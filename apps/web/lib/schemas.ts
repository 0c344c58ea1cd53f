/**
 * The shapes of the API's answers this web app reads (apps/api/schema.graphql), as zod schemas:
 * every response is checked at the boundary, so pages trust what they render.
 */
import { z } from 'zod';
import './zod-in-browser.ts';

export const runRoles = ['teacher', 'student', 'distilled'] as const;
export const runStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const experimentStatuses = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export const corrections = ['none', 'holm', 'bh'] as const;
export const tokenRoles = ['viewer', 'operator', 'admin'] as const;

export type RunRole = (typeof runRoles)[number];
export type RunStatus = (typeof runStatuses)[number];
export type ExperimentStatus = (typeof experimentStatuses)[number];
export type Correction = (typeof corrections)[number];
export type TokenRole = (typeof tokenRoles)[number];

const num = z.number().nullable();

/** A quantity measured once per seed; null parts are NaN on the API side (e.g. sd of one seed). */
export const estimateSchema = z.object({
  mean: num,
  sd: num,
  lower: num,
  upper: num,
  values: z.array(num),
});
export type Estimate = z.infer<typeof estimateSchema>;

export const armSchema = z.object({
  role: z.enum(runRoles),
  temperature: num,
  label: z.string(),
  seeds: z.array(z.number().int()),
});
export type Arm = z.infer<typeof armSchema>;

export const armWithAccuracySchema = armSchema.extend({ accuracy: estimateSchema.nullable() });
export type ArmWithAccuracy = z.infer<typeof armWithAccuracySchema>;

export const experimentListItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  dataset: z.string(),
  status: z.enum(experimentStatuses),
  teacherArchitecture: z.string().nullable(),
  studentArchitecture: z.string().nullable(),
  temperatures: z.array(z.number()),
  seeds: z.array(z.number().int()),
  progress: z.number(),
  createdAt: z.string(),
});
export type ExperimentListItem = z.infer<typeof experimentListItemSchema>;

export const epochMetricsSchema = z.object({
  epoch: z.number().int(),
  loss: num,
  trainAccuracy: num,
  evalAccuracy: num,
  imagesPerSec: num,
  seconds: num,
});
export type EpochMetrics = z.infer<typeof epochMetricsSchema>;

export const runSchema = z.object({
  id: z.string(),
  experimentId: z.string(),
  role: z.enum(runRoles),
  temperature: num,
  seed: z.number().int(),
  architecture: z.string(),
  backend: z.string().nullable(),
  status: z.enum(runStatuses),
  progress: z.number(),
  epoch: z.number().int(),
  loss: num,
  accuracy: num,
  imagesPerSec: num,
  etaSeconds: num,
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Run = z.infer<typeof runSchema>;

export const runDetailSchema = runSchema.extend({
  history: z.array(epochMetricsSchema),
  attempt: z.number().int(),
  worker: z.string().nullable(),
  heartbeatAt: z.string().nullable(),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const classComparisonRowSchema = z.object({
  classIndex: z.number().int(),
  className: z.string(),
  accuracyA: num,
  accuracyB: num,
  delta: num,
  p: num,
  adjustedP: num,
  significant: z.boolean(),
});
export type ClassComparisonRow = z.infer<typeof classComparisonRowSchema>;

export const significanceCountsSchema = z.object({
  raw: z.number().int(),
  holm: z.number().int(),
  bh: z.number().int(),
  tested: z.number().int(),
});

export const temperatureSignificanceSchema = z.object({
  temperature: z.number(),
  sc: significanceCountsSchema.nullable(),
  tc: significanceCountsSchema.nullable(),
  scCount: z.number().int().nullable(),
  tcCount: z.number().int().nullable(),
});
export type TemperatureSignificance = z.infer<typeof temperatureSignificanceSchema>;

export const groupRowSchema = z.object({
  group: z.string(),
  count: z.number().int(),
  accuracy: num,
  selectionRate: num,
  truePositiveRate: num,
  falsePositiveRate: num,
});
export type GroupRow = z.infer<typeof groupRowSchema>;

export const armGroupFairnessSchema = z.object({
  arm: armSchema,
  dpd: estimateSchema,
  eod: estimateSchema,
  groups: z.array(groupRowSchema),
});
export type ArmGroupFairness = z.infer<typeof armGroupFairnessSchema>;

export const groupFairnessSchema = z.object({
  attribute: z.string(),
  groups: z.array(z.string()),
  /** The class the rates binarise at (selection = predicted this class). */
  posLabel: z.number().int().nullable(),
  /** Results changed after the stored summary (DPD/EOD) was computed. */
  stale: z.boolean(),
  arms: z.array(armGroupFairnessSchema),
});
export type GroupFairness = z.infer<typeof groupFairnessSchema>;

export const individualFairnessSchema = z.object({
  available: z.boolean(),
  reason: z.string().nullable(),
  arms: z.array(
    z.object({
      arm: armSchema,
      lipschitz: estimateSchema.nullable(),
      consistency: estimateSchema,
    }),
  ),
});
export type IndividualFairness = z.infer<typeof individualFairnessSchema>;

export const viewerSchema = z.object({
  role: z.enum(tokenRoles).nullable(),
  anonymous: z.boolean(),
  name: z.string().nullable(),
  /** Whether this caller may read results (anonymous reading may be on). */
  canRead: z.boolean(),
});
export type Viewer = z.infer<typeof viewerSchema>;
