import { MetricsInputError } from '../input/metrics-input-error.ts';
import type { Labels, Sensitive } from '../input/validate.ts';
import { confusionByGroup } from './confusion-by-group.ts';
import type { GroupIndex } from './group-index.ts';
import { type GroupedRate, type GroupedRates, type PosLabelOption, ratesByGroup } from './rates.ts';

/**
 * fairlearn's `method` argument: `between_groups` compares the groups with each other,
 * `to_overall` compares each group with the value over all rows.
 */
export type DisparityMethod = 'between_groups' | 'to_overall';

export interface DisparityOptions extends PosLabelOption {
  /** Default 'between_groups', as in fairlearn. */
  method?: DisparityMethod;
}

const METHODS: readonly string[] = ['between_groups', 'to_overall'];

/** Rejects a method name from untyped callers, as fairlearn raises ValueError. */
export function checkMethod(method: string): void {
  if (!METHODS.includes(method)) {
    throw new MetricsInputError(
      'method',
      `must be 'between_groups' or 'to_overall', got '${method}'`,
    );
  }
}

/**
 * fairlearn `MetricFrame.difference(method)`: between_groups max_g m_g − min_g m_g;
 * to_overall max_g |m_g − m_overall|. With one group both are 0.
 */
export function disparityDifference(
  { byGroup, overall }: GroupedRate,
  method: DisparityMethod,
): number {
  let result = Number.NEGATIVE_INFINITY;
  if (method === 'between_groups') {
    let min = Number.POSITIVE_INFINITY;
    for (const v of byGroup) {
      if (v < min) min = v;
      if (v > result) result = v;
    }
    return result - min;
  }
  for (const v of byGroup) {
    const d = Math.abs(v - overall);
    if (d > result) result = d;
  }
  return result;
}

/**
 * fairlearn `MetricFrame.ratio(method)`: between_groups min_g m_g / max_g m_g;
 * to_overall min_g of m_g / m_overall, each ratio r above 1 taken as 1/r.
 * 0/0 is NaN, as in pandas: between_groups is NaN when every group is 0; to_overall skips
 * groups with 0/0 (pandas `min` skips NaN) and is NaN only when all are 0/0. A group at 0
 * against a positive overall gives 0; a positive group against overall 0 gives 1/∞ = 0.
 */
export function disparityRatio({ byGroup, overall }: GroupedRate, method: DisparityMethod): number {
  if (method === 'between_groups') {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of byGroup) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return min / max;
  }
  let result = Number.NaN;
  for (const v of byGroup) {
    let r = v / overall;
    if (r > 1) r = 1 / r;
    if (r < result || Number.isNaN(result)) result = r;
  }
  return result;
}

/**
 * The per-group rates every disparity function here starts from (one counting pass), with the
 * options checked and defaulted as fairlearn does (posLabel 1, method 'between_groups').
 */
export function groupRates(
  yTrue: Labels,
  yPred: Labels,
  sensitive: Sensitive | GroupIndex,
  options: DisparityOptions,
): { rates: GroupedRates; method: DisparityMethod } {
  const { posLabel = 1, method = 'between_groups' } = options;
  checkMethod(method);
  return { rates: ratesByGroup(confusionByGroup(yTrue, yPred, sensitive, posLabel)), method };
}
