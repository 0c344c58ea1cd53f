// The public surface of @kdlens/metrics. Every number KDLens shows is computed by these
// functions; each one's doc comment gives its formula and reference.

export { accuracy, classAccuracy } from './accuracy/class-accuracy.ts';
export {
  type ClassComparison,
  type ClassComparisonResult,
  type ClassCorrection,
  type ClassStatistic,
  type CompareClassesOptions,
  classStatisticMatrix,
  compareClasses,
  compareClassMatrices,
} from './class-bias/compare-classes.ts';
export { disagreement } from './class-bias/disagreement.ts';
export type { Run, RunAccuracy } from './class-bias/run-accuracy.ts';
export { type ArmStatistics, significanceCounts } from './class-bias/significance-counts.ts';
export {
  type ArmClassGroupAccuracy,
  armClassGroupAccuracy,
} from './class-group/arm-class-group-accuracy.ts';
export {
  type ClassGroupAccuracy,
  classGroupAccuracy,
} from './class-group/class-group-accuracy.ts';
export {
  type ClassGroupComparison,
  type CompareClassGroupsOptions,
  compareClassGroups,
} from './class-group/compare-class-groups.ts';
export { type WorstCellsOptions, worstCells } from './class-group/worst-cells.ts';
export { type ClassGroupCounts, classGroupCounts } from './group/class-group-counts.ts';
export { demographicParityDifference, demographicParityRatio } from './group/demographic-parity.ts';
export type { DisparityMethod, DisparityOptions } from './group/disparity.ts';
export { equalOpportunityDifference, equalOpportunityRatio } from './group/equal-opportunity.ts';
export {
  type EqualizedOddsAggregation,
  type EqualizedOddsOptions,
  equalizedOddsDifference,
  equalizedOddsRatio,
} from './group/equalized-odds.ts';
export { type GroupIndex, groupIndex } from './group/group-index.ts';
export {
  type GroupMetrics,
  type GroupSliceMetrics,
  groupMetrics,
  type SliceMetrics,
} from './group/group-metrics.ts';
export {
  type IntersectionGroup,
  type IntersectionIndex,
  intersectionIndex,
  MAX_INTERSECTION_GROUPS,
} from './group/intersection-index.ts';
export {
  type ClassDisparity,
  type IntersectionalDisparity,
  type IntersectionalDisparityOptions,
  intersectionalDisparity,
  type PositiveClass,
} from './group/intersectional-disparity.ts';
export {
  type IntersectionalMetrics,
  type IntersectionalMetricsOptions,
  type IntersectionalSliceMetrics,
  intersectionalMetrics,
} from './group/intersectional-metrics.ts';
export {
  DEFAULT_MIN_GROUP_SIZE,
  type MinGroupSizeOption,
  type SmallGroup,
} from './group/min-group-size.ts';
export { type BinaryGroupMetric, type OneVsRestResult, oneVsRest } from './group/one-vs-rest.ts';
export {
  falsePositiveRate,
  type PosLabelOption,
  selectionRate,
  truePositiveRate,
} from './group/rates.ts';
export { type ConsistencyOptions, consistencyScore } from './individual/consistency.ts';
export {
  type LipschitzFairness,
  type LipschitzOptions,
  lipschitzFairness,
  type PairDistance,
} from './individual/lipschitz.ts';
export { nearestNeighbors } from './individual/nearest-neighbors.ts';
export { MetricsInputError } from './input/metrics-input-error.ts';
export type { Labels, Sensitive } from './input/validate.ts';
export {
  type BootstrapInterval,
  type BootstrapOptions,
  bootstrapCI,
  type IndexStatistic,
  type ValuesBootstrapOptions,
} from './stats/bootstrap.ts';
export { adjustPValues, type PAdjustMethod } from './stats/p-adjust.ts';
export { quantileSorted } from './stats/quantile.ts';
export { createRandom, type Random } from './stats/random.ts';
export { studentTTwoSidedP } from './stats/student-t.ts';
export { studentTQuantile } from './stats/student-t-quantile.ts';
export { type TTestResult, welchTTest, welchTTestFromMoments } from './stats/welch.ts';
export {
  type ArmDisagreement,
  armDisagreement,
  armDisagreementOverall,
  type DisagreementPair,
} from './study/arm-disagreement.ts';
export { estimateOverSeeds } from './study/estimate-over-seeds.ts';
export {
  type IntersectionalFairness,
  type IntersectionalFairnessOptions,
  intersectionalFairness,
} from './study/intersectional-fairness.ts';
export { labelConsistency } from './study/label-consistency.ts';
export type * from './study/study-types.ts';
export { summarizeStudy } from './study/summarize-study.ts';
