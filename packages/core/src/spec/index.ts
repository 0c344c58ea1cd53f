export {
  confineDataPath,
  type DataPathField,
  type DataPathProblem,
  DataRootError,
  dataPathProblems,
  dataPathRefusal,
  defaultDataRoots,
  isPathInside,
  parseDataRoots,
  resolveDataPaths,
  specDataPaths,
} from './data-roots.ts';
export {
  csvColumnsSchema,
  type DatasetSpec,
  datasetSpecSchema,
  type ExperimentSpec,
  type ExperimentSpecInput,
  evaluationSpecSchema,
  experimentSpecSchema,
  individualFairnessFeatures,
  kdSpecSchema,
  type ModelOptions,
  type ModelSpec,
  modelOptionsSchema,
  modelSpecSchema,
  scheduleUnits,
  seedsSchema,
  specLimits,
  trifeatureGeneratorSchema,
} from './experiment-spec.schema.ts';
export { type LrSchedule, lrScheduleSchema } from './lr-schedule.schema.ts';
export { type OptimizerConfig, optimizerConfigSchema } from './optimizer-config.schema.ts';
export {
  MAX_SPEC_NESTING,
  MAX_SPEC_STRING,
  MAX_SPEC_TEXT,
  parseSpecFile,
  parseSpecText,
} from './parse-spec.ts';
export { type PlannedUnit, planUnits, unitKey } from './plan-units.ts';
export {
  listPresets,
  loadPreset,
  type PresetInfo,
  presetFile,
  presetNames,
  presetsDir,
  readPresetText,
} from './presets.ts';
export {
  confineSpec,
  resolveLaunchedSpec,
  resolveSpec,
  type SpecPathsConfig,
} from './resolve-spec.ts';
export { scheduleInSteps } from './schedule-in-steps.ts';
export { formatSpecIssue, SpecError, type SpecIssue } from './spec-error.ts';
export { specToYaml } from './spec-yaml.ts';
