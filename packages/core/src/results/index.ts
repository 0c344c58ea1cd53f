// Everything that computes with @kdlens/metrics on the way into or out of the warehouse: a run's
// results (accuracy, per-class accuracy, group metrics), test sets (factorised attributes) and
// the study summary. The SQL itself is in db/queries, which does persistence only.

export {
  type ArmClassGroupMatrix,
  type ClassGroupChange,
  type ClassGroupMatrix,
  type ClassGroupMatrixOptions,
  classGroupMatrix,
} from './class-group-matrix.ts';
export {
  type ClassGroupArm,
  type ClassGroupRun,
  type ClassGroupStudy,
  GroupAttributesError,
  loadClassGroupStudy,
} from './class-group-study.ts';
export { loadComparedStudies } from './compared-studies.ts';
export {
  type ClassDelta,
  type ComparedArm,
  type ComparedExperiment,
  type ComparedRun,
  type ComparedStudy,
  type ComparedTestSet,
  compareExperiments,
  type ExperimentComparison,
  ExperimentComparisonError,
  type ExperimentComparisonOptions,
  MAX_COMPARED_DELTA_ROWS,
  MAX_COMPARED_EXPERIMENTS,
} from './experiment-comparison.ts';
export {
  type ArmIntersectionalGroups,
  type GroupRates,
  type IntersectionalGroups,
  type IntersectionalGroupsOptions,
  intersectionalGroups,
} from './intersectional-groups.ts';
export {
  type RunProbabilities,
  type RunResultsInput,
  type SavedRunResults,
  type SaveRunResultsOptions,
  saveRunResults,
} from './save-run-results.ts';
export { studyHeadline } from './study-headline.ts';
export { studyOptionsSchema, studySummarySchema } from './study-summary.schema.ts';
export {
  getStudySummary,
  loadStudyInput,
  loadStudySummaries,
  recomputeStudySummary,
  type StoredStudySummary,
  summaryAtTemperature,
  type TemperatureSummary,
} from './study-summary.ts';
export {
  loadTestSet,
  MAX_ATTACHED_FEATURE_VALUES,
  recordTestSet,
  recordTestSetFeatures,
  type StoredTestSet,
  type TestSetInput,
} from './test-set.ts';
