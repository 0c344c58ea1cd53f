import { type ClassCorrection, compareClassMatrices } from '../class-bias/compare-classes.ts';
import type { ClassGroupCounts } from '../group/class-group-counts.ts';
import type { IntersectionGroup } from '../group/intersection-index.ts';
import { checkSameTestSet } from '../group/same-test-set.ts';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { studentTQuantile } from '../stats/student-t-quantile.ts';

export interface CompareClassGroupsOptions {
  /** Coverage of the interval of each cell's delta, in (0, 1) (default 0.95). */
  confidence?: number;
  /** Significance level for `significant` (default 0.05, as compareClasses). */
  alpha?: number;
  /** Correction across the tested cells: 'none' (default), 'holm' or 'bh', as compareClasses. */
  correction?: ClassCorrection;
}

/**
 * How each (class, group) cell's accuracy changed from arm A (e.g. the teacher or the
 * non-distilled student) to arm B (a distilled student). Columns, class-major: entry c·G + g.
 */
export interface ClassGroupComparison {
  numClasses: number;
  attributes: readonly string[];
  groups: readonly IntersectionGroup[];
  seedsA: number;
  seedsB: number;
  confidence: number;
  alpha: number;
  correction: ClassCorrection;
  /** Test examples of class c in group g. */
  examples: Float64Array;
  /** Mean over arm A's seeds of the cell's accuracy. */
  meanA: Float64Array;
  meanB: Float64Array;
  /** Sample sd (ddof 1) over arm A's seeds. */
  sdA: Float64Array;
  sdB: Float64Array;
  /** meanB − meanA: negative where B (the distilled student) lost accuracy. */
  delta: Float64Array;
  /** Welch interval of delta at `confidence`; [delta, delta] when both arms are constant. */
  lower: Float64Array;
  upper: Float64Array;
  /** Welch t of A against B (compareClasses' sign), df and two-sided p; NaN when untested. */
  t: Float64Array;
  df: Float64Array;
  pValue: Float64Array;
  /** pValue after `correction` over the tested cells. */
  pAdjusted: Float64Array;
  /** 1 where pAdjusted ≤ alpha. */
  significant: Uint8Array;
  significantCount: number;
  /** Cells with a defined p-value (no empty cell, not constant and equal in both arms). */
  testedCount: number;
}

const CORRECTIONS: readonly ClassCorrection[] = ['none', 'holm', 'bh'];

/**
 * The change of accuracy per (class, group) cell from arm A to arm B across seeds, by the
 * class-bias test's own method: each cell is one "class" of compareClassMatrices on the raw
 * accuracy TP_cg / N_cg of each run, so delta, t, df, p (Welch 1947) and the Holm/BH correction
 * are exactly compareClasses' for that cell. The interval inverts the same test:
 * delta ± t_{(1+confidence)/2, df} · √(s²_A/n_A + s²_B/n_B) with df by Welch–Satterthwaite, so
 * at confidence 1 − alpha it excludes 0 exactly when the raw p < alpha. Both arms constant in a
 * cell: SE = 0 and the interval is [delta, delta] (compareClasses: p = 0 if the means differ,
 * untested if equal). An empty cell (no test examples of class c in group g) is NaN throughout.
 *
 * Each arm needs ≥ 2 runs (one per seed); every run of both arms must be counted on the same test
 * set and grouping (MetricsInputError naming `armA`, `armB[i]`, `options.*`).
 * Cost: O(runs × classes × groups) plus one Welch test and one t quantile per cell.
 */
export function compareClassGroups(
  armA: readonly ClassGroupCounts[],
  armB: readonly ClassGroupCounts[],
  options: CompareClassGroupsOptions = {},
): ClassGroupComparison {
  const { confidence = 0.95, alpha = 0.05, correction = 'none' } = options;
  if (!(confidence > 0 && confidence < 1)) {
    throw new MetricsInputError('options.confidence', `must be in (0, 1), got ${confidence}`);
  }
  if (!(alpha >= 0 && alpha <= 1)) {
    throw new MetricsInputError('options.alpha', `must be in [0, 1], got ${alpha}`);
  }
  if (!CORRECTIONS.includes(correction)) {
    throw new MetricsInputError(
      'options.correction',
      `must be one of ${CORRECTIONS.join(', ')}, got ${correction}`,
    );
  }
  const first = checkArm(armA, 'armA');
  checkArm(armB, 'armB');
  armA.forEach((run, r) => {
    checkSameTestSet(first, run, `armA[${r}]`);
  });
  armB.forEach((run, r) => {
    checkSameTestSet(first, run, `armB[${r}]`);
  });
  const cells = first.positives.length;
  const result = compareClassMatrices(
    accuracyMatrix(armA, cells),
    armA.length,
    accuracyMatrix(armB, cells),
    armB.length,
    cells,
    { alpha, correction },
  );

  const column = () => new Float64Array(cells);
  const out: ClassGroupComparison = {
    numClasses: first.numClasses,
    attributes: first.attributes,
    groups: first.groups,
    seedsA: armA.length,
    seedsB: armB.length,
    confidence,
    alpha,
    correction,
    examples: Float64Array.from(first.positives),
    meanA: column(),
    meanB: column(),
    sdA: column(),
    sdB: column(),
    delta: column(),
    lower: column(),
    upper: column(),
    t: column(),
    df: column(),
    pValue: column(),
    pAdjusted: column(),
    significant: new Uint8Array(cells),
    significantCount: result.significantCount,
    testedCount: result.testedCount,
  };
  const level = (1 + confidence) / 2;
  result.perClass.forEach((row, i) => {
    out.meanA[i] = row.meanA;
    out.meanB[i] = row.meanB;
    out.sdA[i] = row.sdA;
    out.sdB[i] = row.sdB;
    out.delta[i] = row.delta;
    out.t[i] = row.t;
    out.df[i] = row.df;
    out.pValue[i] = row.pValue;
    out.pAdjusted[i] = row.pAdjusted;
    out.significant[i] = row.significant ? 1 : 0;
    const se = Math.sqrt((row.sdA * row.sdA) / armA.length + (row.sdB * row.sdB) / armB.length);
    const half = se === 0 ? 0 : studentTQuantile(level, row.df) * se;
    out.lower[i] = row.delta - half;
    out.upper[i] = row.delta + half;
  });
  return out;
}

function checkArm(arm: readonly ClassGroupCounts[], argument: string): ClassGroupCounts {
  if (!Array.isArray(arm)) {
    throw new MetricsInputError(argument, 'must be an array of runs, one per seed');
  }
  if (arm.length < 2) {
    throw new MetricsInputError(
      argument,
      `needs at least 2 runs (one per seed) for a variance, got ${arm.length}`,
    );
  }
  return arm[0] as ClassGroupCounts;
}

/** Run-major accuracy per cell, as classStatisticMatrix lays out per-class statistics. */
function accuracyMatrix(arm: readonly ClassGroupCounts[], cells: number): Float64Array {
  const out = new Float64Array(arm.length * cells);
  arm.forEach(({ positives, truePositives }, r) => {
    for (let i = 0; i < cells; i++) {
      const n = positives[i] as number;
      out[r * cells + i] = n === 0 ? Number.NaN : (truePositives[i] as number) / n;
    }
  });
  return out;
}
