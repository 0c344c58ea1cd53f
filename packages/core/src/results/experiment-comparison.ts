import {
  type ArmKey,
  type ArmSummary,
  type AttributeFairness,
  type ClassComparisonResult,
  type ClassCorrection,
  classStatisticMatrix,
  compareClassMatrices,
  type StudySummary,
  type TemperatureSignificance,
} from '@kdlens/metrics';
import type { RunRole } from '../domain/run.ts';
import { KdlensError } from '../errors.ts';
import { armLabel } from '../report/arm-label.ts';

/** The most experiments one comparison takes: each adds a column per arm and a delta per class. */
export const MAX_COMPARED_EXPERIMENTS = 8;

/**
 * The most per-class delta rows one comparison computes: shared arms × classes summed over the
 * experiments after the first (each row a Welch test and five numbers in the answer).
 */
export const MAX_COMPARED_DELTA_ROWS = 200_000;

/**
 * Experiments that cannot be compared (too few or many, one named twice, without a test set, or
 * on a different test set); `index` is the position of the experiment at fault in the request.
 */
export class ExperimentComparisonError extends KdlensError {
  override readonly name = 'ExperimentComparisonError';
  constructor(
    message: string,
    readonly index: number | null,
  ) {
    super(message);
  }
}

/**
 * The identity of a stored test set: its examples' digest (labels, classes, attributes), without
 * features attached later (a teacher embedding does not make the test set a different one).
 */
export interface ComparedTestSet {
  digest: string;
  numClasses: number;
  classNames: string[];
  examples: number;
}

/** One run's stored per-class accuracy (run_class_accuracy). */
export interface ComparedRun extends ArmKey {
  seed: number;
  overall: number;
  /** Per class; NaN for a class without test examples. */
  perClass: Float64Array;
}

/** What the comparison reads of one experiment: all stored, nothing recomputed. */
export interface ComparedStudy {
  experimentId: string;
  name: string;
  testSet: ComparedTestSet | null;
  /** The stored study summary; null until one was computed. */
  summary: StudySummary | null;
  /** Runs' results changed since the summary was computed. */
  stale: boolean;
  runs: ComparedRun[];
}

export interface ComparedArm extends ArmSummary {
  label: string;
}

/** One experiment's side of the comparison: its stored summary's tables. */
export interface ComparedExperiment {
  experimentId: string;
  name: string;
  stale: boolean;
  /** Significance level and class statistic its SC/TC counts were computed with. */
  alpha: number | null;
  statistic: StudySummary['statistic'] | null;
  /** Accuracy per arm (teacher, NDS, distilled by ascending T); empty without a summary. */
  arms: ComparedArm[];
  /**
   * Per arm of `arms`: its mean accuracy minus the first experiment's same arm's, from the stored
   * summaries; null for the first experiment, an arm the first lacks, or a non-finite mean.
   */
  accuracyDelta: (number | null)[];
  /** SC and TC per temperature, ascending. */
  significance: TemperatureSignificance[];
  /** DPD and EOD per sensitive attribute and arm. */
  groupFairness: AttributeFairness[];
}

/**
 * How one arm's per-class accuracy differs between the reference experiment (the first) and
 * another: compareClassMatrices on the raw per-class accuracy, A = reference, B = the other, so
 * delta = mean_B − mean_A per class, with a Welch test per class where both sides have ≥ 2 seeds.
 */
export interface ClassDelta {
  referenceId: string;
  experimentId: string;
  arm: ArmKey & { label: string };
  referenceSeeds: number[];
  seeds: number[];
  comparison: ClassComparisonResult;
  /** Classes with a defined delta, the largest drop first (ties by class index). */
  worst: Int32Array;
}

export interface ExperimentComparison {
  testSet: ComparedTestSet;
  experiments: ComparedExperiment[];
  /** For every other experiment, in request order, and every arm both it and the reference have. */
  classDeltas: ClassDelta[];
}

export interface ExperimentComparisonOptions {
  /** Significance level of the per-class tests (default 0.05). */
  alpha?: number;
  /** Correction across the classes of one delta (default 'holm'). */
  correction?: ClassCorrection;
}

const roleOrder: Record<RunRole, number> = { teacher: 0, student: 1, distilled: 2 };
const keyOf = (a: ArmKey) => `${a.role}:${a.temperature ?? ''}`;

const describe = (s: ComparedStudy) => `"${s.name}" (${s.experimentId})`;

/** Checks the count, duplicates and that every experiment is on the first one's test set. */
function sharedTestSet(studies: readonly ComparedStudy[]): ComparedTestSet {
  if (studies.length < 2 || studies.length > MAX_COMPARED_EXPERIMENTS) {
    throw new ExperimentComparisonError(
      `experiments: give 2 to ${MAX_COMPARED_EXPERIMENTS} experiments, got ${studies.length}`,
      null,
    );
  }
  const seen = new Map<string, number>();
  studies.forEach((s, i) => {
    const earlier = seen.get(s.experimentId);
    if (earlier !== undefined) {
      throw new ExperimentComparisonError(
        `experiments[${i}]: experiment ${describe(s)} is already experiments[${earlier}]`,
        i,
      );
    }
    seen.set(s.experimentId, i);
  });
  studies.forEach((s, i) => {
    if (!s.testSet) {
      throw new ExperimentComparisonError(
        `experiments[${i}]: experiment ${describe(s)} has no test set recorded yet`,
        i,
      );
    }
  });
  const first = studies[0] as ComparedStudy;
  const reference = first.testSet as ComparedTestSet;
  studies.forEach((s, i) => {
    const t = s.testSet as ComparedTestSet;
    if (t.digest !== reference.digest) {
      throw new ExperimentComparisonError(
        `experiments[${i}]: experiment ${describe(s)} is on a different test set ` +
          `(${t.examples} examples, ${t.numClasses} classes, digest ${t.digest.slice(0, 12)}…) ` +
          `from experiment ${describe(first)} (${reference.examples} examples, ` +
          `${reference.numClasses} classes, digest ${reference.digest.slice(0, 12)}…); ` +
          'only experiments on the same test set can be compared',
        i,
      );
    }
  });
  return reference;
}

/** An experiment's runs by arm, each arm's runs by seed; arms teacher, NDS, distilled by T. */
function armsOf(runs: readonly ComparedRun[]): Map<string, ComparedRun[]> {
  const byArm = new Map<string, ComparedRun[]>();
  const sorted = [...runs].sort(
    (a, b) =>
      roleOrder[a.role] - roleOrder[b.role] ||
      (a.temperature ?? 0) - (b.temperature ?? 0) ||
      a.seed - b.seed,
  );
  for (const run of sorted) {
    const key = keyOf(run);
    const arm = byArm.get(key);
    if (arm) arm.push(run);
    else byArm.set(key, [run]);
  }
  return byArm;
}

/** Classes with a defined delta, ascending delta (the largest drop first), ties by class. */
function worstFirst(result: ClassComparisonResult): Int32Array {
  const defined = result.perClass.filter((c) => Number.isFinite(c.delta));
  defined.sort((a, b) => a.delta - b.delta || a.classIndex - b.classIndex);
  return Int32Array.from(defined, (c) => c.classIndex);
}

/**
 * Two to eight experiments on the same test set side by side: each one's stored study summary
 * (accuracy per arm with its CI over seeds, SC/TC per T, DPD/EOD per attribute and arm; reused,
 * not recomputed), and the per-class accuracy deltas of every other experiment against the
 * first for each arm both have (@kdlens/metrics compareClassMatrices on the raw per-class
 * accuracy: mean over seeds per class, Welch test per class, `correction` across classes).
 * Throws ExperimentComparisonError naming the experiment at fault. O(experiments × runs × classes).
 */
export function compareExperiments(
  studies: readonly ComparedStudy[],
  options: ExperimentComparisonOptions = {},
): ExperimentComparison {
  const { alpha = 0.05, correction = 'holm' } = options;
  const testSet = sharedTestSet(studies);
  const { numClasses } = testSet;
  const referenceMeans = new Map(
    (studies[0]?.summary?.arms ?? []).map((a) => [keyOf(a), a.accuracy.mean]),
  );
  const experiments = studies.map(
    (s, i): ComparedExperiment => ({
      experimentId: s.experimentId,
      name: s.name,
      stale: s.stale,
      alpha: s.summary?.alpha ?? null,
      statistic: s.summary?.statistic ?? null,
      arms: (s.summary?.arms ?? []).map((a) => ({ ...a, label: armLabel(a) })),
      accuracyDelta: (s.summary?.arms ?? []).map((a) => {
        const from = referenceMeans.get(keyOf(a));
        const delta = i === 0 || from === undefined ? Number.NaN : a.accuracy.mean - from;
        return Number.isFinite(delta) ? delta : null;
      }),
      significance: s.summary?.significance ?? [],
      groupFairness: s.summary?.groupFairness ?? [],
    }),
  );
  const [reference, ...others] = studies as [ComparedStudy, ...ComparedStudy[]];
  const referenceArms = armsOf(reference.runs);
  const matrix = (runs: ComparedRun[]) =>
    classStatisticMatrix(
      runs.map((r) => ({ perClass: r.perClass, overall: r.overall })),
      numClasses,
      'raw',
    );
  // Refused before any test: the answer grows with shared arms × classes × experiments.
  const shared = others.map((other) =>
    [...armsOf(other.runs).keys()].filter((key) => referenceArms.has(key)),
  );
  const rows = shared.reduce((sum, keys) => sum + keys.length, 0) * numClasses;
  if (rows > MAX_COMPARED_DELTA_ROWS) {
    throw new ExperimentComparisonError(
      `experiments: ${rows} per-class delta rows (shared arms × ${numClasses} classes over the ` +
        `experiments after the first), more than ${MAX_COMPARED_DELTA_ROWS}; compare fewer experiments`,
      null,
    );
  }
  const classDeltas: ClassDelta[] = [];
  for (const other of others) {
    for (const [key, runs] of armsOf(other.runs)) {
      const from = referenceArms.get(key);
      if (!from) continue;
      const first = runs[0] as ComparedRun;
      // With one seed on a side the means and delta are defined; the test is not (p NaN).
      const comparison = compareClassMatrices(
        matrix(from),
        from.length,
        matrix(runs),
        runs.length,
        numClasses,
        { alpha, correction },
      );
      classDeltas.push({
        referenceId: reference.experimentId,
        experimentId: other.experimentId,
        arm: { role: first.role, temperature: first.temperature, label: armLabel(first) },
        referenceSeeds: from.map((r) => r.seed),
        seeds: runs.map((r) => r.seed),
        comparison,
        worst: worstFirst(comparison),
      });
    }
  }
  return { testSet, experiments, classDeltas };
}
