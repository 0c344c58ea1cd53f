import type { Labels, Sensitive } from '../input/validate.ts';
import {
  type DisparityOptions,
  disparityDifference,
  disparityRatio,
  groupRates,
} from './disparity.ts';
import type { GroupIndex } from './group-index.ts';

/**
 * fairlearn's `equal_opportunity_difference` (recent releases): the group difference of
 * TPR = P(ŷ = pos | A = a, Y = pos) (see disparityDifference for `method`). In [0, 1];
 * one group → 0. A group with no positives counts as TPR 0, as in fairlearn.
 */
export function equalOpportunityDifference(
  yTrue: Labels,
  yPred: Labels,
  sensitive: Sensitive | GroupIndex,
  options: DisparityOptions = {},
): number {
  const { rates, method } = groupRates(yTrue, yPred, sensitive, options);
  return disparityDifference(rates.truePositiveRate, method);
}

/**
 * fairlearn's `equal_opportunity_ratio`: the group ratio of TPR (see
 * disparityRatio for `method`). In [0, 1]; NaN when every group's TPR is 0 (0/0), as in
 * fairlearn; one group → 1 unless its TPR is 0.
 */
export function equalOpportunityRatio(
  yTrue: Labels,
  yPred: Labels,
  sensitive: Sensitive | GroupIndex,
  options: DisparityOptions = {},
): number {
  const { rates, method } = groupRates(yTrue, yPred, sensitive, options);
  return disparityRatio(rates.truePositiveRate, method);
}
