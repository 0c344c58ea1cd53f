import { createHash } from 'node:crypto';
import type {
  ArmGroupFairness,
  ArmIndividualFairness,
  ArmSummary,
  Sensitive,
  StudyInput,
  StudyOptions,
  StudyRun,
  StudySummary,
  TemperatureSignificance,
} from '@kdlens/metrics';
import { summarizeStudy } from '@kdlens/metrics';
import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { float32FromBytes, int32FromBytes } from '../db/queries/array-codec.ts';
import type { Executor, Transaction } from '../db/queries/executor.ts';
import { experimentTestSets, runPredictions, runs, studySummaries } from '../db/schema.ts';
import { studySummarySchema } from './study-summary.schema.ts';
import { loadTestSet } from './test-set.ts';

export interface StoredStudySummary {
  experimentId: string;
  summary: StudySummary;
  options: StudyOptions;
  /** Names the test set and the run results the summary was computed from. */
  fingerprint: string;
  runCount: number;
  /** Distilled temperatures in the summary, ascending. */
  temperatures: number[];
  computeMs: number;
  computedAt: Date;
  /** Runs' results changed since (e.g. a deferred ingest, a deleted run): recompute it. */
  stale: boolean;
}

/** Everything the summary shows about one temperature: Table 1's and Table 2's row for T. */
export interface TemperatureSummary {
  temperature: number;
  arm: ArmSummary;
  significance: TemperatureSignificance | undefined;
  groupFairness: { attribute: string; groups: (string | number)[]; arm: ArmGroupFairness }[];
  individualFairness: ArmIndividualFairness | undefined;
}

// Any constant distinct from the migration lock; the second key is the experiment.
const SUMMARY_LOCK = 0x6b6473; // "kds"

function fingerprintOf(
  testSetDigest: string,
  results: { runId: string; resultsId: string }[],
): string {
  const hash = createHash('sha256').update(testSetDigest);
  for (const r of [...results].sort((a, b) => (a.runId < b.runId ? -1 : 1))) {
    hash.update(`|${r.runId}:${r.resultsId}`);
  }
  return hash.digest('hex');
}

interface LoadedStudy {
  input: StudyInput;
  fingerprint: string;
}

async function loadStudy(
  db: Executor,
  experimentId: string,
  options: StudyOptions | undefined,
): Promise<LoadedStudy | undefined> {
  const testSet = await loadTestSet(db, experimentId, { features: true });
  if (!testSet) return undefined;
  // Lipschitz needs dense probabilities and features; skip the big column otherwise.
  const wantProbabilities = testSet.features !== null;
  const rows = await db
    .select({
      runId: runs.id,
      role: runs.role,
      temperature: runs.temperature,
      seed: runs.seed,
      resultsId: runPredictions.resultsId,
      predicted: runPredictions.predicted,
      probabilityKind: runPredictions.probabilityKind,
      probabilities: wantProbabilities ? runPredictions.probabilities : sql<Buffer | null>`null`,
    })
    .from(runPredictions)
    .innerJoin(runs, eq(runs.id, runPredictions.runId))
    .where(eq(runs.experimentId, experimentId))
    .orderBy(asc(runs.id));
  const studyRuns: StudyRun[] = rows.map((r) => {
    const run: StudyRun = {
      role: r.role,
      temperature: r.temperature,
      seed: r.seed,
      yPred: int32FromBytes(r.predicted),
    };
    // Top-k probabilities cannot stand in for the full vector the Lipschitz measure compares.
    if (r.probabilityKind === 'dense' && r.probabilities)
      run.probs = float32FromBytes(r.probabilities);
    return run;
  });
  const sensitive: Record<string, Sensitive> = {};
  for (const [name, index] of Object.entries(testSet.sensitive)) {
    // The original values, so the summary names groups as the data set does.
    sensitive[name] = Array.from(index.codes, (c) => index.groups[c] as string | number);
  }
  const input: StudyInput = {
    numClasses: testSet.numClasses,
    yTrue: testSet.labels,
    runs: studyRuns,
  };
  if (Object.keys(sensitive).length > 0) input.sensitive = sensitive;
  if (testSet.features) input.features = testSet.features;
  if (options) input.options = options;
  return { input, fingerprint: fingerprintOf(testSet.digest, rows) };
}

/**
 * The input of summarizeStudy for an experiment, from the stored test set and predictions only;
 * undefined when the experiment has no test set. Runs without stored predictions are left out.
 */
export async function loadStudyInput(
  db: Executor,
  experimentId: string,
  options?: StudyOptions,
): Promise<StudyInput | undefined> {
  return (await loadStudy(db, experimentId, options))?.input;
}

/** Used by saveRunResults to recompute inside its own transaction. */
export async function recomputeStudySummaryIn(
  tx: Transaction,
  experimentId: string,
  options?: StudyOptions,
): Promise<StoredStudySummary | null> {
  // Recomputes of one experiment take turns, and each reads after the previous one committed,
  // so the last to finish always saw every committed run (READ COMMITTED: a fresh snapshot per
  // statement after the lock is granted).
  await tx.execute(sql`select pg_advisory_xact_lock(${SUMMARY_LOCK}, hashtext(${experimentId}))`);
  const [previous] = await tx
    .select({ options: studySummaries.options })
    .from(studySummaries)
    .where(eq(studySummaries.experimentId, experimentId));
  const chosen = options ?? previous?.options ?? {};
  const study = await loadStudy(tx, experimentId, chosen);
  if (!study || study.input.runs.length === 0) {
    await tx.delete(studySummaries).where(eq(studySummaries.experimentId, experimentId));
    return null;
  }
  const started = performance.now();
  const summary = summarizeStudy(study.input);
  const computeMs = performance.now() - started;
  const row = {
    summary,
    options: chosen,
    fingerprint: study.fingerprint,
    runCount: study.input.runs.length,
    temperatures: summary.significance.map((s) => s.temperature),
    computeMs,
    computedAt: sql`now()`,
  };
  const [stored] = await tx
    .insert(studySummaries)
    .values({ experimentId, ...row })
    .onConflictDoUpdate({ target: studySummaries.experimentId, set: row })
    .returning({ computedAt: studySummaries.computedAt });
  return {
    experimentId,
    summary,
    options: chosen,
    fingerprint: study.fingerprint,
    runCount: row.runCount,
    temperatures: row.temperatures,
    computeMs,
    computedAt: stored?.computedAt ?? new Date(),
    stale: false,
  };
}

/**
 * Recomputes and stores the summary of an experiment from its stored predictions, with `options`
 * or else the options it was last computed with; null (and no row) when no run has predictions.
 */
export function recomputeStudySummary(
  db: Database,
  experimentId: string,
  options?: StudyOptions,
): Promise<StoredStudySummary | null> {
  return db.transaction((tx) => recomputeStudySummaryIn(tx, experimentId, options));
}

/** The stored summary and whether runs changed since; undefined when none was computed. */
export async function getStudySummary(
  db: Executor,
  experimentId: string,
): Promise<StoredStudySummary | undefined> {
  const [row] = await db
    .select()
    .from(studySummaries)
    .where(eq(studySummaries.experimentId, experimentId));
  if (!row) return undefined;
  const current = await currentFingerprint(db, experimentId);
  return {
    experimentId,
    summary: studySummarySchema.parse(row.summary),
    options: row.options,
    fingerprint: row.fingerprint,
    runCount: row.runCount,
    temperatures: row.temperatures,
    computeMs: row.computeMs,
    computedAt: row.computedAt,
    stale: current !== row.fingerprint,
  };
}

/** The fingerprint a summary computed now would have, from ids only (no arrays are read). */
async function currentFingerprint(db: Executor, experimentId: string): Promise<string | undefined> {
  const [testSet] = await db
    .select({ digest: experimentTestSets.digest })
    .from(experimentTestSets)
    .where(eq(experimentTestSets.experimentId, experimentId));
  if (!testSet) return undefined;
  const rows = await db
    .select({ runId: runs.id, resultsId: runPredictions.resultsId })
    .from(runPredictions)
    .innerJoin(runs, eq(runs.id, runPredictions.runId))
    .where(eq(runs.experimentId, experimentId));
  return fingerprintOf(testSet.digest, rows);
}

/** The distilled arm at `temperature` with its significance and fairness rows; pure. */
export function summaryAtTemperature(
  summary: StudySummary,
  temperature: number,
): TemperatureSummary | undefined {
  const at = (a: { role: string; temperature: number | null }) =>
    a.role === 'distilled' && a.temperature === temperature;
  const arm = summary.arms.find(at);
  if (!arm) return undefined;
  return {
    temperature,
    arm,
    significance: summary.significance.find((s) => s.temperature === temperature),
    groupFairness: summary.groupFairness.flatMap((g) => {
      const a = g.arms.find(at);
      return a ? [{ attribute: g.attribute, groups: g.groups, arm: a }] : [];
    }),
    individualFairness: summary.individualFairness?.find(at),
  };
}
