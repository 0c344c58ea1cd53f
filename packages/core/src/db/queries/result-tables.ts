/**
 * What the export tables read about one experiment's runs (src/export/): every run with the
 * shape of its stored output, every run's per-class accuracy and every run's per-group metrics.
 * Each is one query whatever the number of runs; the large arrays (predictions, probabilities)
 * are read one run at a time through loadRunPredictions instead.
 */
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { RunRole } from '../../domain/run.ts';
import {
  type ProbabilityKind,
  type RunRow,
  runClassAccuracy,
  runGroupMetrics,
  runPredictions,
  runs,
} from '../schema.ts';
import type { Executor } from './executor.ts';

/** A run and, once it has results, the shape of its stored output. */
export interface RunWithResults {
  run: RunRow;
  /** Null until the run's results are saved. */
  results: {
    examples: number;
    probabilityKind: ProbabilityKind;
    /** numClasses when dense, k when top-k, null when none. */
    probabilityWidth: number | null;
  } | null;
}

/**
 * Every run of the experiment, teacher, NDS, then distilled by temperature (the role enum's
 * order), each arm by seed; results joined where stored.
 */
export async function listRunsWithResults(
  db: Executor,
  experimentId: string,
): Promise<RunWithResults[]> {
  const rows = await db
    .select({
      run: runs,
      examples: runPredictions.examples,
      probabilityKind: runPredictions.probabilityKind,
      probabilityWidth: runPredictions.probabilityWidth,
    })
    .from(runs)
    .leftJoin(runPredictions, eq(runPredictions.runId, runs.id))
    .where(eq(runs.experimentId, experimentId))
    .orderBy(asc(runs.role), asc(runs.temperature), asc(runs.seed), asc(runs.id));
  return rows.map((r) => ({
    run: r.run,
    results:
      r.examples === null || r.probabilityKind === null
        ? null
        : {
            examples: r.examples,
            probabilityKind: r.probabilityKind,
            probabilityWidth: r.probabilityWidth,
          },
  }));
}

/** One run's stored per-class accuracy (run_class_accuracy): NaN for a class without examples. */
export interface RunClassAccuracies {
  runId: string;
  role: RunRole;
  temperature: number | null;
  seed: number;
  architecture: string;
  overall: number;
  perClass: Float64Array;
}

// A float8[] arrives as a JS array with NaN for a class without test examples; a per-element
// zod schema would cost more than the rest of the load at 60 runs × 1000 classes.
const float8ArraySchema = z.custom<number[]>(
  (v) => Array.isArray(v) && v.every((x) => typeof x === 'number'),
  'expected a float8[]',
);

/**
 * The per-class accuracy of every run with results, by seed (the order @kdlens/metrics'
 * summarizeStudy and the API's class comparison put an arm's runs in). Runs need stored
 * predictions too, as the API's analysis reads them.
 */
export async function loadRunClassAccuracies(
  db: Executor,
  experimentId: string,
): Promise<RunClassAccuracies[]> {
  const rows = await db
    .select({
      runId: runs.id,
      role: runs.role,
      temperature: runs.temperature,
      seed: runs.seed,
      architecture: runs.architecture,
      overall: runClassAccuracy.overall,
      accuracy: runClassAccuracy.accuracy,
    })
    .from(runs)
    .innerJoin(runPredictions, eq(runPredictions.runId, runs.id))
    .innerJoin(runClassAccuracy, eq(runClassAccuracy.runId, runs.id))
    .where(eq(runs.experimentId, experimentId))
    .orderBy(asc(runs.seed), asc(runs.role), asc(runs.temperature), asc(runs.id));
  return rows.map((r) => ({
    runId: r.runId,
    role: r.role,
    temperature: r.temperature,
    seed: r.seed,
    architecture: r.architecture,
    overall: r.overall,
    perClass: Float64Array.from(float8ArraySchema.parse(r.accuracy)),
  }));
}

// run_group_metrics.metrics as stored (JSON turns a NaN into null).
const rate = z.number().nullable();
export const storedGroupMetricsSchema = z.object({
  byGroup: z.array(
    z.object({
      group: z.union([z.string(), z.number()]),
      count: z.number(),
      accuracy: rate,
      selectionRate: rate,
      tpr: rate,
      fpr: rate,
    }),
  ),
});
export type StoredGroupMetrics = z.infer<typeof storedGroupMetricsSchema>;

/** One run's stored @kdlens/metrics groupMetrics for one attribute; null where NaN. */
export interface RunGroupMetricsRow {
  runId: string;
  attribute: string;
  posLabel: number;
  byGroup: z.infer<typeof storedGroupMetricsSchema>['byGroup'];
}

/** Every stored per-group metric of the experiment's runs with results, by attribute. */
export async function loadRunGroupMetrics(
  db: Executor,
  experimentId: string,
): Promise<RunGroupMetricsRow[]> {
  const rows = await db
    .select({
      runId: runGroupMetrics.runId,
      attribute: runGroupMetrics.attribute,
      posLabel: runGroupMetrics.posLabel,
      metrics: runGroupMetrics.metrics,
    })
    .from(runGroupMetrics)
    .innerJoin(runs, eq(runs.id, runGroupMetrics.runId))
    .innerJoin(runPredictions, eq(runPredictions.runId, runs.id))
    .where(eq(runs.experimentId, experimentId))
    .orderBy(asc(runGroupMetrics.attribute), asc(runGroupMetrics.runId));
  return rows.map((r) => ({
    runId: r.runId,
    attribute: r.attribute,
    posLabel: r.posLabel,
    byGroup: storedGroupMetricsSchema.parse(r.metrics).byGroup,
  }));
}
