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
import { nearestNeighbors, summarizeStudy } from '@kdlens/metrics';
import type { Database } from '../db/database.ts';
import { readResultsState, resultsFingerprint } from '../db/queries/data-version.ts';
import type { Executor, Transaction } from '../db/queries/executor.ts';
import { readExperimentPredictions } from '../db/queries/run-results.ts';
import {
  deleteStudySummary,
  lockStudySummary,
  readStudySummary,
  readStudySummaryJson,
  readStudySummaryOptions,
  writeStudySummary,
} from '../db/queries/study-summaries.ts';
import { readTestSetIdentities } from '../db/queries/test-sets.ts';
import { studyHeadline } from './study-headline.ts';
import { studyOptionsSchema, studySummarySchema } from './study-summary.schema.ts';
import { loadTestSet, type StoredTestSet } from './test-set.ts';

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

interface LoadedStudy {
  input: StudyInput;
  fingerprint: string;
  /** Keys the neighbour graphs below: the same features give the same graph. */
  testSetDigest: string;
}

function parsedOptions(stored: unknown): StudyOptions {
  return stored === undefined ? {} : studyOptionsSchema.parse(stored);
}

/**
 * The k nearest neighbours of recent test sets' features, by (test set digest, k). A study's
 * summary is recomputed after every run it stores, and the neighbour search over the test set's
 * features (10,000 × 784 for Fashion-MNIST: seconds) gives the same graph every time, so a worker
 * computes it once per study instead of once per unit. The digest covers the features, so a
 * changed test set misses.
 */
const neighbourGraphs = new Map<string, Int32Array>();
const NEIGHBOUR_GRAPHS_KEPT = 4;

function cachedNeighbours(
  features: StudyInput['features'],
  options: StudyOptions | undefined,
  digest: string,
): StudyInput['neighbours'] {
  if (!features) return undefined;
  const k = options?.individual?.k ?? 5;
  const key = `${digest}:${k}`;
  let indices = neighbourGraphs.get(key);
  if (indices === undefined) {
    indices = nearestNeighbors(features.values, features.d, k);
    neighbourGraphs.set(key, indices);
    // Oldest first: Map keeps insertion order.
    for (const old of neighbourGraphs.keys()) {
      if (neighbourGraphs.size <= NEIGHBOUR_GRAPHS_KEPT) break;
      neighbourGraphs.delete(old);
    }
  }
  return { k, indices };
}

async function loadStudy(
  db: Executor,
  experimentId: string,
  options: StudyOptions | undefined,
  /** The test set as read a moment ago; read again only if its digest has changed since. */
  earlier?: StoredTestSet,
): Promise<LoadedStudy | undefined> {
  const current =
    earlier === undefined ? undefined : (await readTestSetIdentities(db, [experimentId]))[0];
  const testSet =
    earlier !== undefined && current?.digest === earlier.digest
      ? earlier
      : await loadTestSet(db, experimentId, { features: true });
  if (!testSet) return undefined;
  // Lipschitz needs dense probabilities and features; skip the big column otherwise.
  const rows = await readExperimentPredictions(db, experimentId, {
    probabilities: testSet.features !== null,
  });
  const studyRuns: StudyRun[] = rows.map((r) => {
    const run: StudyRun = {
      role: r.role,
      temperature: r.temperature,
      seed: r.seed,
      yPred: r.predicted,
    };
    // Top-k probabilities cannot stand in for the full vector the Lipschitz measure compares.
    if (r.denseProbabilities) run.probs = r.denseProbabilities;
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
  return {
    input,
    fingerprint: resultsFingerprint(testSet.digest, rows),
    testSetDigest: testSet.digest,
  };
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
  // The neighbour graph depends on the test set's features alone, so it is searched before the
  // lock: two workers storing their first runs at once search side by side rather than one
  // waiting out the other's seconds of search and then doing its own.
  const earlier = await loadTestSet(tx, experimentId, { features: true });
  let earlierMs = 0;
  if (earlier?.features) {
    const guess = options ?? parsedOptions(await readStudySummaryOptions(tx, experimentId));
    const searched = performance.now();
    cachedNeighbours(earlier.features, guess, earlier.digest);
    earlierMs = performance.now() - searched;
  }
  // Recomputes of one experiment take turns, and each reads after the previous one committed,
  // so the last to finish always saw every committed run (READ COMMITTED: a fresh snapshot per
  // statement after the lock is granted).
  await lockStudySummary(tx, experimentId);
  const chosen = options ?? parsedOptions(await readStudySummaryOptions(tx, experimentId));
  const study = await loadStudy(tx, experimentId, chosen, earlier);
  if (!study || study.input.runs.length === 0) {
    await deleteStudySummary(tx, experimentId);
    return null;
  }
  const started = performance.now();
  const neighbours = cachedNeighbours(study.input.features, chosen, study.testSetDigest);
  const summary = summarizeStudy(neighbours ? { ...study.input, neighbours } : study.input);
  const computeMs = earlierMs + (performance.now() - started);
  const row = {
    experimentId,
    summary,
    options: chosen,
    fingerprint: study.fingerprint,
    runCount: study.input.runs.length,
    temperatures: summary.significance.map((s) => s.temperature),
    computeMs,
  };
  const computedAt = await writeStudySummary(tx, { ...row, headline: studyHeadline(summary) });
  return {
    experimentId,
    summary,
    options: chosen,
    fingerprint: study.fingerprint,
    runCount: row.runCount,
    temperatures: row.temperatures,
    computeMs,
    computedAt,
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
  const row = await readStudySummary(db, experimentId);
  if (!row) return undefined;
  const current = await readResultsState(db, experimentId);
  return {
    experimentId,
    summary: studySummarySchema.parse(row.summary),
    options: studyOptionsSchema.parse(row.options),
    fingerprint: row.fingerprint,
    runCount: row.runCount,
    temperatures: row.temperatures,
    computeMs: row.computeMs,
    computedAt: row.computedAt,
    stale: current?.fingerprint !== row.fingerprint,
  };
}

/**
 * The stored summaries of many experiments in one statement, by experiment id (the API batches
 * its Experiment.arms through this). Read through the summary's schema: it turns JSON's nulls
 * back into NaN, as summarizeStudy had them.
 */
export async function loadStudySummaries(
  db: Executor,
  experimentIds: readonly string[],
): Promise<Map<string, StudySummary>> {
  const rows = await readStudySummaryJson(db, experimentIds);
  return new Map(rows.map((r) => [r.experimentId, studySummarySchema.parse(r.summary)]));
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
