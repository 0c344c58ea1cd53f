import type { ClassGroupCounts } from '../group/class-group-counts.ts';
import type { IntersectionGroup } from '../group/intersection-index.ts';

/** Accuracy per (class, group) of one run, class-major: entry c·G + g, G = groups.length. */
export interface ClassGroupAccuracy {
  numClasses: number;
  attributes: readonly string[];
  groups: readonly IntersectionGroup[];
  /** |{i : yᵢ = c, ŷᵢ = c, Gᵢ = g}| / |{i : yᵢ = c, Gᵢ = g}|; NaN where the cell has no examples. */
  accuracy: Float64Array;
  /** Test examples of class c in group g, |{i : yᵢ = c, Gᵢ = g}|. */
  examples: Float64Array;
}

/**
 * Per-class accuracy (recall) within each group, for the class × group view: the classAccuracy
 * of the rows of group g, for every g, from one run's counts (it is the one-vs-rest TPR of class
 * c in group g). NaN for an empty cell, so "no data" is never mistaken for "always wrong".
 */
export function classGroupAccuracy(counts: ClassGroupCounts): ClassGroupAccuracy {
  const { positives, truePositives } = counts;
  const accuracy = new Float64Array(positives.length);
  for (let i = 0; i < positives.length; i++) {
    const n = positives[i] as number;
    accuracy[i] = n === 0 ? Number.NaN : (truePositives[i] as number) / n;
  }
  return {
    numClasses: counts.numClasses,
    attributes: counts.attributes,
    groups: counts.groups,
    accuracy,
    examples: Float64Array.from(positives),
  };
}
