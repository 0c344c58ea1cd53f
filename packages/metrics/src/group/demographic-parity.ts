import type { Labels, Sensitive } from '../input/validate.ts';
import {
  type DisparityOptions,
  disparityDifference,
  disparityRatio,
  groupRates,
} from './disparity.ts';
import type { GroupIndex } from './group-index.ts';

/**
 * fairlearn's `demographic_parity_difference`:
 * between_groups max_a P(ŷ = pos | A = a) − min_a P(ŷ = pos | A = a);
 * to_overall max_a |P(ŷ = pos | A = a) − P(ŷ = pos)|. In [0, 1]; 0 is parity.
 * One group → 0. yTrue is ignored but validated. Labels are binarised at posLabel
 * (fairlearn fixes posLabel = 1). Reported as a fraction; the paper's tables show percent.
 */
export function demographicParityDifference(
  yTrue: Labels,
  yPred: Labels,
  sensitive: Sensitive | GroupIndex,
  options: DisparityOptions = {},
): number {
  const { rates, method } = groupRates(yTrue, yPred, sensitive, options);
  return disparityDifference(rates.selectionRate, method);
}

/**
 * fairlearn's `demographic_parity_ratio`:
 * between_groups min_a P(ŷ = pos | A = a) / max_a P(ŷ = pos | A = a);
 * to_overall min_a of P(ŷ = pos | A = a) / P(ŷ = pos), each ratio r > 1 taken as 1/r.
 * In [0, 1]; 1 is parity. One group → 1. NaN when no row is predicted positive (0/0, as in
 * fairlearn), for either method.
 */
export function demographicParityRatio(
  yTrue: Labels,
  yPred: Labels,
  sensitive: Sensitive | GroupIndex,
  options: DisparityOptions = {},
): number {
  const { rates, method } = groupRates(yTrue, yPred, sensitive, options);
  return disparityRatio(rates.selectionRate, method);
}
