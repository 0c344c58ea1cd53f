import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type RunRole, type RunSummary, runRoles } from '../../domain/run.ts';
import type { Database } from '../database.ts';
import {
  type ProbabilityKind,
  runClassAccuracy,
  runGroupMetrics,
  runPredictions,
  runs,
} from '../schema.ts';
import { float32FromBytes, int32FromBytes } from './array-codec.ts';
import type { Executor, Transaction } from './executor.ts';
import { insertChunks, parametersPerRow } from './insert-chunks.ts';

/** What saving a run writes, already computed and encoded by core's results module. */
export interface RunResultsRows {
  prediction: {
    examples: number;
    /** Int32 LE argmax class per example. */
    predicted: Buffer;
    probabilityKind: ProbabilityKind;
    probabilityWidth: number | null;
    /** Int32 LE examples × k (top-k only). */
    topClasses: Buffer | null;
    /** Float32 LE examples × width. */
    probabilities: Buffer | null;
    /** Float32 LE examples × featureDim. */
    features: Buffer | null;
    featureDim: number | null;
  };
  /** Overall and per-class accuracy; NaN for a class without test examples. */
  classAccuracy: { overall: number; accuracy: number[] };
  /** The class whose selection rate / TPR / FPR the group metrics hold. */
  posLabel: number;
  /** One entry per sensitive attribute (JSON: a NaN is stored as null). */
  groupMetrics: { attribute: string; metrics: unknown }[];
  /** The v1 runs.summary the API shows. */
  summary: RunSummary;
}

/**
 * Locks a run whose results are about to be saved and tells which experiment it belongs to and
 * who holds it; undefined when no run has this id.
 */
export async function lockRunForResults(
  tx: Transaction,
  runId: string,
): Promise<{ experimentId: string; status: string; worker: string | null } | undefined> {
  const [run] = await tx
    .select({ experimentId: runs.experimentId, status: runs.status, worker: runs.worker })
    .from(runs)
    .where(eq(runs.id, runId))
    // Two saves of one run take turns; NO KEY UPDATE leaves FK inserts (artifacts) unblocked.
    .for('no key update');
  return run;
}

/**
 * Writes a run's results and marks it succeeded: predictions (a new results id, which changes
 * the experiment's results fingerprint), per-class accuracy, per-group metrics (replacing the
 * previous ones), status and v1 summary. Run it inside the transaction that locked the run.
 */
export async function writeRunResults(
  tx: Transaction,
  runId: string,
  rows: RunResultsRows,
): Promise<void> {
  const prediction = {
    ...rows.prediction,
    resultsId: sql`gen_random_uuid()`,
    savedAt: sql`now()`,
  };
  await tx
    .insert(runPredictions)
    .values({ runId, ...prediction })
    .onConflictDoUpdate({ target: runPredictions.runId, set: prediction });
  // NaN (a class without test examples) is a valid float8; the array keeps it.
  const classRow = rows.classAccuracy;
  await tx
    .insert(runClassAccuracy)
    .values({ runId, ...classRow })
    .onConflictDoUpdate({ target: runClassAccuracy.runId, set: classRow });
  await tx.delete(runGroupMetrics).where(eq(runGroupMetrics.runId, runId));
  const groupRows = rows.groupMetrics.map((g) => ({ runId, posLabel: rows.posLabel, ...g }));
  for (const chunk of insertChunks(groupRows, parametersPerRow(groupRows[0]))) {
    await tx.insert(runGroupMetrics).values(chunk);
  }
  await tx
    .update(runs)
    .set({
      status: 'succeeded',
      progress: 1,
      summary: rows.summary,
      accuracy: rows.classAccuracy.overall,
      error: null,
      etaSeconds: 0,
      finishedAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(eq(runs.id, runId));
}

/** A run's stored output, decoded (views over the fetched bytes, no copies on little-endian hosts). */
export interface StoredRunPredictions {
  predicted: Int32Array;
  probabilities:
    | { kind: 'dense'; numClasses: number; values: Float32Array }
    | { kind: 'top-k'; k: number; ids: Int32Array; values: Float32Array }
    | null;
  features: { values: Float32Array; d: number } | null;
  savedAt: Date;
}

/** The stored predictions of one run (e.g. for per-class disagreement between two runs). */
export async function loadRunPredictions(
  db: Executor,
  runId: string,
  opts: { probabilities?: boolean; features?: boolean } = {},
): Promise<StoredRunPredictions | undefined> {
  const [row] = await db
    .select({
      predicted: runPredictions.predicted,
      kind: runPredictions.probabilityKind,
      width: runPredictions.probabilityWidth,
      topClasses: opts.probabilities ? runPredictions.topClasses : sql<Buffer | null>`null`,
      probabilities: opts.probabilities ? runPredictions.probabilities : sql<Buffer | null>`null`,
      features: opts.features ? runPredictions.features : sql<Buffer | null>`null`,
      featureDim: runPredictions.featureDim,
      savedAt: runPredictions.savedAt,
    })
    .from(runPredictions)
    .where(eq(runPredictions.runId, runId));
  if (!row) return undefined;
  let probabilities: StoredRunPredictions['probabilities'] = null;
  if (row.probabilities && row.width !== null) {
    const values = float32FromBytes(row.probabilities);
    probabilities =
      row.kind === 'top-k' && row.topClasses
        ? { kind: 'top-k', k: row.width, ids: int32FromBytes(row.topClasses), values }
        : { kind: 'dense', numClasses: row.width, values };
  }
  return {
    predicted: int32FromBytes(row.predicted),
    probabilities,
    features:
      row.features && row.featureDim
        ? { values: float32FromBytes(row.features), d: row.featureDim }
        : null,
    savedAt: row.savedAt,
  };
}

/** One run of an experiment with stored predictions, as the study summary reads it. */
export interface ExperimentRunPredictions {
  runId: string;
  role: RunRole;
  temperature: number | null;
  seed: number;
  /** Names this save of the run's results (see resultsFingerprint). */
  resultsId: string;
  predicted: Int32Array;
  /** Dense probabilities, examples × numClasses; null when not asked for or not dense. */
  denseProbabilities: Float32Array | null;
}

/**
 * Every run of the experiment that has stored predictions, by run id; runs without predictions
 * are left out. `probabilities` fetches the (large) dense probability column too.
 */
export async function readExperimentPredictions(
  db: Executor,
  experimentId: string,
  opts: { probabilities?: boolean } = {},
): Promise<ExperimentRunPredictions[]> {
  const rows = await db
    .select({
      runId: runs.id,
      role: runs.role,
      temperature: runs.temperature,
      seed: runs.seed,
      resultsId: runPredictions.resultsId,
      predicted: runPredictions.predicted,
      probabilityKind: runPredictions.probabilityKind,
      probabilities: opts.probabilities ? runPredictions.probabilities : sql<Buffer | null>`null`,
    })
    .from(runPredictions)
    .innerJoin(runs, eq(runs.id, runPredictions.runId))
    .where(eq(runs.experimentId, experimentId))
    .orderBy(asc(runs.id));
  return rows.map((r) => ({
    runId: r.runId,
    role: r.role,
    temperature: r.temperature,
    seed: r.seed,
    resultsId: r.resultsId,
    predicted: int32FromBytes(r.predicted),
    // Top-k probabilities cannot stand in for the full vector.
    denseProbabilities:
      r.probabilityKind === 'dense' && r.probabilities ? float32FromBytes(r.probabilities) : null,
  }));
}

/** Per-class accuracy of one run with results (run_class_accuracy). */
export interface RunClassAccuracyRow {
  runId: string;
  role: RunRole;
  temperature: number | null;
  seed: number;
  overall: number;
  /** Per class; NaN for a class without test examples. */
  accuracy: number[];
}

// A float8[] arrives as a JS array with NaN for a class without test examples; a per-element
// zod schema would cost more than the rest of the load at 60 runs × 1000 classes.
const float8ArraySchema = z.custom<number[]>(
  (v) => Array.isArray(v) && v.every((x) => typeof x === 'number'),
  'expected a float8[]',
);

// Rows as node-postgres returns them; checked because the database is a boundary.
const accuracyRowSchema = z.object({
  run_id: z.string(),
  role: z.enum(runRoles),
  temperature: z.number().nullable(),
  seed: z.number().int(),
  overall: z.number(),
  accuracy: float8ArraySchema,
});

// Every run's class accuracy in one statement (never one per run).
const CLASS_ACCURACY_SQL = `
  select r.id as run_id, r.role, r.temperature, r.seed, a.overall, a.accuracy
  from runs r
  join run_predictions p on p.run_id = r.id
  join run_class_accuracy a on a.run_id = r.id
  where r.experiment_id = $1
  order by r.seed`;

/** The class accuracy of every run of the experiment that has results, by seed. */
export async function readRunClassAccuracies(
  db: Database,
  experimentId: string,
): Promise<RunClassAccuracyRow[]> {
  const result = await db.$client.query(CLASS_ACCURACY_SQL, [experimentId]);
  return result.rows.map((raw) => {
    const row = accuracyRowSchema.parse(raw);
    return {
      runId: row.run_id,
      role: row.role,
      temperature: row.temperature,
      seed: row.seed,
      overall: row.overall,
      accuracy: row.accuracy,
    };
  });
}

/** The predicted labels of many runs in one statement, by run id (runs without any are absent). */
export async function readPredictedLabels(
  db: Executor,
  runIds: readonly string[],
): Promise<Map<string, Int32Array>> {
  if (runIds.length === 0) return new Map();
  const rows = await db
    .select({ runId: runPredictions.runId, predicted: runPredictions.predicted })
    .from(runPredictions)
    .where(inArray(runPredictions.runId, [...runIds]));
  return new Map(rows.map((r) => [r.runId, int32FromBytes(r.predicted)]));
}

/** One run's stored group metrics for an attribute: JSON as stored (a NaN reads back as null). */
export interface RunGroupMetricsRow {
  runId: string;
  posLabel: number;
  metrics: unknown;
}

/** The stored group metrics of many runs for one sensitive attribute, in one statement. */
export async function readRunGroupMetrics(
  db: Executor,
  attribute: string,
  runIds: readonly string[],
): Promise<RunGroupMetricsRow[]> {
  if (runIds.length === 0) return [];
  return db
    .select({
      runId: runGroupMetrics.runId,
      posLabel: runGroupMetrics.posLabel,
      metrics: runGroupMetrics.metrics,
    })
    .from(runGroupMetrics)
    .where(
      and(eq(runGroupMetrics.attribute, attribute), inArray(runGroupMetrics.runId, [...runIds])),
    );
}
