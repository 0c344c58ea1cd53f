import { MetricsInputError } from '../input/metrics-input-error.ts';
import { checkNumClasses } from '../input/validate.ts';
import { adjustPValues } from '../stats/p-adjust.ts';
import { mean, sampleVariance } from '../stats/sample-moments.ts';
import { welchTTestFromMoments } from '../stats/welch.ts';
import { type Run, type RunAccuracy, runAccuracy } from './run-accuracy.ts';

/**
 * What is compared per class and run:
 * - normalized: classAcc_c / overallAcc (Hooker et al. 2019; the paper's default), so a
 *   uniformly better model does not make every class "change";
 * - difference: classAcc_c − overallAcc;
 * - raw: classAcc_c.
 */
export type ClassStatistic = 'normalized' | 'difference' | 'raw';

/** Multiple-testing correction across classes. */
export type ClassCorrection = 'none' | 'holm' | 'bh';

export interface CompareClassesOptions {
  numClasses: number;
  /** Significance level for `significant` (default 0.05). */
  alpha?: number;
  /** Default 'normalized'. */
  statistic?: ClassStatistic;
  /** Default 'none' (the paper's headline counts); 'holm' or 'bh' adjust across classes. */
  correction?: ClassCorrection;
}

export interface ClassComparison {
  classIndex: number;
  /** Mean of the statistic over arm A's runs. */
  meanA: number;
  meanB: number;
  /** Sample standard deviation (ddof 1) over arm A's runs. */
  sdA: number;
  sdB: number;
  /** meanB − meanA. */
  delta: number;
  /** Welch t of A against B (positive when A's mean is larger, as scipy's ttest_ind(a, b)). */
  t: number;
  df: number;
  /** Two-sided Welch p-value; NaN when the class is not tested. */
  pValue: number;
  /** pValue after `correction` (equal to pValue for 'none'). */
  pAdjusted: number;
  /** pAdjusted ≤ alpha; false when pAdjusted is NaN. */
  significant: boolean;
}

export interface ClassComparisonResult {
  perClass: ClassComparison[];
  significantCount: number;
  /** Classes with a defined p-value: the denominator of significantFraction and m of the correction. */
  testedCount: number;
  /** significantCount / testedCount; NaN when no class could be tested. */
  significantFraction: number;
}

const STATISTICS: readonly ClassStatistic[] = ['normalized', 'difference', 'raw'];
const CORRECTIONS: readonly ClassCorrection[] = ['none', 'holm', 'bh'];

/** Checks an arm and computes each run's accuracies (one counting pass per run). */
function armAccuracies(arm: readonly Run[], argument: string, numClasses: number): RunAccuracy[] {
  if (!Array.isArray(arm)) {
    throw new MetricsInputError(argument, 'must be an array of runs, one per seed');
  }
  if (arm.length < 2) {
    throw new MetricsInputError(
      argument,
      `needs at least 2 runs (one per seed) for a variance, got ${arm.length}`,
    );
  }
  return arm.map((run, r) => runAccuracy(run, numClasses, `${argument}[${r}]`));
}

/**
 * The per-class statistic of every run of an arm, run-major: out[r·numClasses + c]. Exposed so
 * that a study comparing one arm with many others computes each run's accuracies only once.
 */
export function classStatisticMatrix(
  accuracies: readonly RunAccuracy[],
  numClasses: number,
  statistic: ClassStatistic,
): Float64Array {
  const out = new Float64Array(accuracies.length * numClasses);
  accuracies.forEach(({ perClass, overall }, r) => {
    for (let c = 0; c < numClasses; c++) {
      const acc = perClass[c] as number;
      out[r * numClasses + c] =
        statistic === 'normalized'
          ? acc / overall
          : statistic === 'difference'
            ? acc - overall
            : acc;
    }
  });
  return out;
}

/** Copies class c's column out of a run-major matrix; false if any run's value is NaN. */
function column(matrix: Float64Array, numClasses: number, c: number, out: Float64Array): boolean {
  let defined = true;
  for (let r = 0; r < out.length; r++) {
    const v = matrix[r * numClasses + c] as number;
    out[r] = v;
    if (Number.isNaN(v)) defined = false;
  }
  return defined;
}

/**
 * Which classes does arm B get right differently from arm A? For each class c and run i, the
 * statistic r_i (by default classAcc_c,i / overallAcc_i, Hooker et al. 2019), then a two-sided
 * Welch t-test of A's values against B's (Welch 1947), optionally Holm- or BH-adjusted across
 * classes; significant when p̃ ≤ alpha. This is the class-bias test of Mohammadshahi & Ioannou
 * (2025), one run per random seed (5 vs 5 in the paper).
 *
 * Each arm needs ≥ 2 runs (MetricsInputError naming `armA` / `armB`); each run's labels are
 * validated with the run named, e.g. `armA[2].yPred`.
 *
 * A class is tested only if its statistic is defined in every run of both arms. It is undefined
 * (NaN) when the class is absent from a run's yTrue, or — for 'normalized' — when a run's overall
 * accuracy is 0 (0/0). An untested class gets its means/sds from the runs as computed (so NaN
 * if any is NaN), t, df and pValue NaN, is never significant, and is left out of the
 * correction's m and of significantFraction's denominator. The same holds for a class whose
 * values are constant and equal in both arms (Welch's t is 0/0, as in scipy); a class constant
 * in both arms with different values gets t = ±∞, p = 0 and counts as significant.
 *
 * Cost: one counting pass per run (O(examples)), then O(classes × runs) for the tests.
 */
export function compareClasses(
  armA: readonly Run[],
  armB: readonly Run[],
  options: CompareClassesOptions,
): ClassComparisonResult {
  const { numClasses, alpha = 0.05, statistic = 'normalized', correction = 'none' } = options;
  checkNumClasses(numClasses, 'options.numClasses');
  if (!(alpha >= 0 && alpha <= 1)) {
    throw new MetricsInputError('options.alpha', `must be in [0, 1], got ${alpha}`);
  }
  if (!STATISTICS.includes(statistic)) {
    throw new MetricsInputError(
      'options.statistic',
      `must be one of ${STATISTICS.join(', ')}, got ${statistic}`,
    );
  }
  if (!CORRECTIONS.includes(correction)) {
    throw new MetricsInputError(
      'options.correction',
      `must be one of ${CORRECTIONS.join(', ')}, got ${correction}`,
    );
  }
  const accuraciesA = armAccuracies(armA, 'armA', numClasses);
  const accuraciesB = armAccuracies(armB, 'armB', numClasses);
  return compareClassMatrices(
    classStatisticMatrix(accuraciesA, numClasses, statistic),
    armA.length,
    classStatisticMatrix(accuraciesB, numClasses, statistic),
    armB.length,
    numClasses,
    { alpha, correction },
  );
}

/**
 * The per-class Welch tests of `compareClasses` on statistic matrices from
 * `classStatisticMatrix` (runsA and runsB ≥ 2 rows each; trusted, not re-validated).
 */
export function compareClassMatrices(
  matrixA: Float64Array,
  runsA: number,
  matrixB: Float64Array,
  runsB: number,
  numClasses: number,
  { alpha, correction }: { alpha: number; correction: ClassCorrection },
): ClassComparisonResult {
  const valuesA = new Float64Array(runsA);
  const valuesB = new Float64Array(runsB);
  const perClass: ClassComparison[] = [];
  const pValues = new Float64Array(numClasses);
  for (let c = 0; c < numClasses; c++) {
    const definedA = column(matrixA, numClasses, c, valuesA);
    const definedB = column(matrixB, numClasses, c, valuesB);
    const meanA = mean(valuesA);
    const meanB = mean(valuesB);
    const varianceA = sampleVariance(valuesA, meanA);
    const varianceB = sampleVariance(valuesB, meanB);
    const test =
      definedA && definedB
        ? welchTTestFromMoments(meanA, varianceA, valuesA.length, meanB, varianceB, valuesB.length)
        : { t: Number.NaN, df: Number.NaN, pValue: Number.NaN };
    pValues[c] = test.pValue;
    perClass.push({
      classIndex: c,
      meanA,
      meanB,
      sdA: Math.sqrt(varianceA),
      sdB: Math.sqrt(varianceB),
      delta: meanB - meanA,
      t: test.t,
      df: test.df,
      pValue: test.pValue,
      pAdjusted: test.pValue,
      significant: false,
    });
  }

  const adjusted = correction === 'none' ? pValues : adjustPValues(pValues, correction);
  let significantCount = 0;
  let testedCount = 0;
  for (const row of perClass) {
    row.pAdjusted = adjusted[row.classIndex] as number;
    row.significant = row.pAdjusted <= alpha;
    if (!Number.isNaN(row.pValue)) testedCount++;
    if (row.significant) significantCount++;
  }
  return {
    perClass,
    significantCount,
    testedCount,
    significantFraction: testedCount === 0 ? Number.NaN : significantCount / testedCount,
  };
}
