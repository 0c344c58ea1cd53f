import { MetricsInputError } from '../input/metrics-input-error.ts';
import type { Labels, Sensitive } from '../input/validate.ts';
import {
  type DisparityOptions,
  disparityDifference,
  disparityRatio,
  groupRates,
} from './disparity.ts';
import type { GroupIndex } from './group-index.ts';

/**
 * fairlearn's `agg` (fairlearn PR #960): 'worst_case' takes the larger difference (smaller ratio) of
 * the TPR and FPR ones, 'mean' their mean.
 */
export type EqualizedOddsAggregation = 'worst_case' | 'mean';

export interface EqualizedOddsOptions extends DisparityOptions {
  /** Default 'worst_case', as in fairlearn and the paper. */
  agg?: EqualizedOddsAggregation;
}

/**
 * fairlearn's `equalized_odds_difference`: with D_TPR and D_FPR the group differences of
 * P(ŷ = pos | A = a, Y = pos) and P(ŷ = pos | A = a, Y ≠ pos) (see disparityDifference
 * for `method`), worst_case max(D_TPR, D_FPR), mean (D_TPR + D_FPR) / 2. In [0, 1]; 0 is
 * equalized odds; one group → 0. A fraction; the paper's tables show percent.
 * A group with no positives has TPR 0 and one with no negatives FPR 0 (fairlearn's rates
 * read 0/0 as 0), so such a group can widen the gap: that is fairlearn's value, kept as is.
 */
export function equalizedOddsDifference(
  yTrue: Labels,
  yPred: Labels,
  sensitive: Sensitive | GroupIndex,
  options: EqualizedOddsOptions = {},
): number {
  const { agg = 'worst_case' } = options;
  checkAgg(agg);
  const { rates, method } = groupRates(yTrue, yPred, sensitive, options);
  const dTpr = disparityDifference(rates.truePositiveRate, method);
  const dFpr = disparityDifference(rates.falsePositiveRate, method);
  return aggregateDifferences(dTpr, dFpr, agg);
}

/**
 * fairlearn's `equalized_odds_ratio`: with R_TPR and R_FPR the group ratios of TPR and FPR
 * (see disparityRatio for `method`), worst_case min(R_TPR, R_FPR), mean their mean.
 * In [0, 1] or NaN; 1 is equalized odds; one group → 1 unless a rate is 0 there.
 * NaN rules, as in fairlearn: a ratio is NaN when every group's rate is 0 (0/0). worst_case
 * is Python's `min([R_TPR, R_FPR])`, which keeps the first when a comparison with NaN is
 * false: NaN if R_TPR is NaN (e.g. nothing predicted positive), R_TPR if only R_FPR is NaN
 * (e.g. no false positives at all). mean skips a NaN (pandas), NaN if both are.
 */
export function equalizedOddsRatio(
  yTrue: Labels,
  yPred: Labels,
  sensitive: Sensitive | GroupIndex,
  options: EqualizedOddsOptions = {},
): number {
  const { agg = 'worst_case' } = options;
  checkAgg(agg);
  const { rates, method } = groupRates(yTrue, yPred, sensitive, options);
  const rTpr = disparityRatio(rates.truePositiveRate, method);
  const rFpr = disparityRatio(rates.falsePositiveRate, method);
  return aggregateRatios(rTpr, rFpr, agg);
}

/** equalizedOddsDifference's `agg` of the TPR and FPR differences (see there). */
export function aggregateDifferences(
  dTpr: number,
  dFpr: number,
  agg: EqualizedOddsAggregation,
): number {
  return agg === 'worst_case' ? Math.max(dTpr, dFpr) : (dTpr + dFpr) / 2;
}

/** equalizedOddsRatio's `agg` of the TPR and FPR ratios, with its NaN rules (see there). */
export function aggregateRatios(rTpr: number, rFpr: number, agg: EqualizedOddsAggregation): number {
  if (agg === 'worst_case') return pythonMin(rTpr, rFpr);
  if (Number.isNaN(rTpr)) return rFpr;
  if (Number.isNaN(rFpr)) return rTpr;
  return (rTpr + rFpr) / 2;
}

/**
 * Python's `min([first, second])`, which fairlearn applies: `second` replaces `first` only if
 * `second < first`, so a NaN first wins and a NaN second loses (Math.min gives NaN for both).
 */
function pythonMin(first: number, second: number): number {
  if (second < first) return second;
  return first;
}

export function checkAgg(agg: string): void {
  if (agg !== 'worst_case' && agg !== 'mean') {
    throw new MetricsInputError('agg', `must be 'worst_case' or 'mean', got '${agg}'`);
  }
}
