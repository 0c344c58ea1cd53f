import { MetricsInputError } from '../input/metrics-input-error.ts';
import type { ClassGroupCounts } from './class-group-counts.ts';
import type { SliceMetrics } from './group-metrics.ts';
import type { IntersectionGroup } from './intersection-index.ts';
import { type MinGroupSizeOption, minGroupSizeOf } from './min-group-size.ts';
import { rateOrZero } from './rates.ts';

export interface IntersectionalSliceMetrics extends SliceMetrics {
  /** The group's value of each attribute, in the order of `attributes`. */
  group: IntersectionGroup;
  /** count < minGroupSize: shown, but left out of every disparity. */
  small: boolean;
}

export interface IntersectionalMetrics {
  attributes: readonly string[];
  /** The class whose one-vs-rest rates these are. */
  posLabel: number;
  minGroupSize: number;
  overall: SliceMetrics;
  /** Every combination of the attributes' values, in pandas MultiIndex order. */
  byGroup: IntersectionalSliceMetrics[];
}

export interface IntersectionalMetricsOptions extends MinGroupSizeOption {
  /** The class k taken as positive (one-vs-rest: y = k against y ≠ k); default 1, as fairlearn. */
  posLabel?: number;
}

/**
 * fairlearn `MetricFrame(metrics={count, accuracy_score, selection_rate, true_positive_rate,
 * false_positive_rate}, sensitive_features=<several columns>)` on labels binarised at class k
 * (y = k ↦ 1, else 0), for any class k: `.overall` and `.by_group`, per group g
 * selection rate P(ŷ = k | G = g), TPR P(ŷ = k | Y = k, G = g), FPR P(ŷ = k | Y ≠ k, G = g)
 * (0/0 → 0, as fairlearn), accuracy P(ŷ = y | G = g) on the raw labels (top-1, whatever k).
 * Every combination is listed, as fairlearn's by_group is; an empty one has count 0 and NaN
 * rates (fairlearn: NaN). Groups under minGroupSize are flagged `small`. From the counts of one
 * run, so O(groups) for any k.
 */
export function intersectionalMetrics(
  counts: ClassGroupCounts,
  options: IntersectionalMetricsOptions = {},
): IntersectionalMetrics {
  const { posLabel = 1 } = options;
  const minGroupSize = minGroupSizeOf(options);
  const { numClasses, groups } = counts;
  if (!Number.isInteger(posLabel) || posLabel < 0 || posLabel >= numClasses) {
    throw new MetricsInputError(
      'posLabel',
      `must be a class index in [0, ${numClasses}), got ${posLabel}`,
    );
  }
  const numGroups = groups.length;
  const at = posLabel * numGroups;
  let n = 0;
  let pos = 0;
  let pred = 0;
  let tp = 0;
  let hits = 0;
  const byGroup = groups.map((group, g): IntersectionalSliceMetrics => {
    const ng = counts.counts[g] as number;
    const pg = counts.positives[at + g] as number;
    const predg = counts.predicted[at + g] as number;
    const tpg = counts.truePositives[at + g] as number;
    const hitsg = counts.correct[g] as number;
    n += ng;
    pos += pg;
    pred += predg;
    tp += tpg;
    hits += hitsg;
    return { group, small: ng < minGroupSize, ...slice(ng, pg, predg, tpg, hitsg) };
  });
  return {
    attributes: counts.attributes,
    posLabel,
    minGroupSize,
    overall: slice(n, pos, pred, tp, hits),
    byGroup,
  };
}

/** The rates of one slice from its counts; all NaN for an empty slice (fairlearn's NaN row). */
function slice(n: number, pos: number, pred: number, tp: number, hits: number): SliceMetrics {
  if (n === 0) {
    return {
      count: 0,
      accuracy: Number.NaN,
      selectionRate: Number.NaN,
      tpr: Number.NaN,
      fpr: Number.NaN,
    };
  }
  return {
    count: n,
    accuracy: hits / n,
    selectionRate: pred / n,
    tpr: rateOrZero(tp, pos),
    fpr: rateOrZero(pred - tp, n - pos),
  };
}
