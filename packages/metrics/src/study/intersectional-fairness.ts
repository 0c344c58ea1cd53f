import type { ClassGroupCounts } from '../group/class-group-counts.ts';
import type { DisparityMethod } from '../group/disparity.ts';
import type { EqualizedOddsAggregation } from '../group/equalized-odds.ts';
import type { IntersectionGroup } from '../group/intersection-index.ts';
import {
  type IntersectionalDisparity,
  type IntersectionalDisparityOptions,
  intersectionalDisparity,
  type PositiveClass,
} from '../group/intersectional-disparity.ts';
import type { SmallGroup } from '../group/min-group-size.ts';
import { checkSameTestSet } from '../group/same-test-set.ts';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { estimateOverSeeds } from './estimate-over-seeds.ts';
import type { Estimate, StudyOptions } from './study-types.ts';

export interface IntersectionalFairnessOptions extends IntersectionalDisparityOptions {
  /** The study's bootstrap over seeds (defaults 2000 iterations, 0.95, seed 0). */
  bootstrap?: StudyOptions['bootstrap'];
}

/** One arm's intersectional group fairness: each disparity's `value` over its seeds. */
export interface IntersectionalFairness {
  attributes: readonly string[];
  groups: readonly IntersectionGroup[];
  /** Test rows per group (the same in every run: the test set is shared). */
  counts: Float64Array;
  method: DisparityMethod;
  agg: EqualizedOddsAggregation;
  positive: PositiveClass;
  minGroupSize: number;
  comparedGroups: number;
  smallGroups: SmallGroup[];
  demographicParityDifference: Estimate;
  demographicParityRatio: Estimate;
  equalizedOddsDifference: Estimate;
  equalizedOddsRatio: Estimate;
}

/**
 * DPD, DPR, EOD and EOR of intersectional groups for one arm, as summarizeStudy reports DPD
 * and EOD per attribute: intersectionalDisparity's `value` in each run (one run per seed, in
 * seed order), then estimateOverSeeds, the same mean, sample sd and percentile bootstrap CI
 * over seeds with the same bootstrap options. So for a single attribute, with minGroupSize 1
 * and the defaults, the DPD and EOD estimates equal summarizeStudy's exactly.
 *
 * Every run must be counted on the same test set and grouping (MetricsInputError naming
 * `runs[i]` otherwise); `runs` must not be empty.
 */
export function intersectionalFairness(
  runs: readonly ClassGroupCounts[],
  options: IntersectionalFairnessOptions = {},
): IntersectionalFairness {
  const first = runs[0];
  if (first === undefined) throw new MetricsInputError('runs', 'is empty');
  runs.forEach((run, r) => {
    checkSameTestSet(first, run, `runs[${r}]`);
  });
  const perRun: IntersectionalDisparity[] = runs.map((run) =>
    intersectionalDisparity(run, options),
  );
  const head = perRun[0] as IntersectionalDisparity;
  const estimate = (key: Metric) =>
    estimateOverSeeds(
      perRun.map((d) => d[key].value),
      options.bootstrap ?? {},
    );
  return {
    attributes: head.attributes,
    groups: first.groups,
    counts: first.counts,
    method: head.method,
    agg: head.agg,
    positive: head.positive,
    minGroupSize: head.minGroupSize,
    comparedGroups: head.comparedGroups,
    smallGroups: head.smallGroups,
    demographicParityDifference: estimate('demographicParityDifference'),
    demographicParityRatio: estimate('demographicParityRatio'),
    equalizedOddsDifference: estimate('equalizedOddsDifference'),
    equalizedOddsRatio: estimate('equalizedOddsRatio'),
  };
}

type Metric =
  | 'demographicParityDifference'
  | 'demographicParityRatio'
  | 'equalizedOddsDifference'
  | 'equalizedOddsRatio';
