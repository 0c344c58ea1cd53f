/**
 * Public surface of the training engine: backend selection, the toy dataset,
 * the toy models, the KD loss and the single-unit trainer.
 */

export {
  generateToyShapes,
  splitToyShapes,
  TOY_CHANNELS,
  type ToyShapesDataset,
  type ToyShapesOptions,
  type ToyShapesSplit,
  toyColorNames,
  toyShapeClassNames,
} from '../datasets/toy-shapes.dataset.ts';
export { createRng, permutation, type Rng } from '../random/rng.ts';
export { type BackendInfo, type BackendName, backendNames, initBackend } from './backend.ts';
export { crossEntropyLoss, type KdLossOptions, kdLoss, validateKdOptions } from './kd-loss.ts';
export { type NativeKernelsStatus, nativeKernelsStatus } from './kernels/native-addon.ts';
export {
  type Architecture,
  architectures,
  type BuildModelOptions,
  buildModel,
  isArchitecture,
} from './models/toy-cnn.ts';
export { registerWasmKernels } from './register-wasm-kernels.ts';
export {
  type EpochMetrics,
  type ModelOptions,
  type OptimizerName,
  predictClasses,
  scorePredictions,
  type TrainProgress,
  type TrainRole,
  type TrainUnitOptions,
  type TrainUnitResult,
  teacherLogitsOn,
  trainRoles,
  trainUnit,
} from './train-unit.ts';
export {
  type Checkpoint,
  CheckpointError,
  type CheckpointIdentity,
  readCheckpoint,
} from './training/checkpoint.ts';
export { evaluateSplit, type TestProbabilities } from './training/evaluate.ts';
export { fileSystemIOHandler } from './training/file-io-handler.ts';
export {
  createOptimizer,
  type OptimizerConfig,
  type TrainingOptimizer,
} from './training/optimizers.ts';
export type { PenultimateFeatures } from './training/penultimate.ts';
export {
  loadPretrainedWeights,
  PretrainedWeightsError,
  saveModelWeights,
} from './training/pretrained-weights.ts';
export { type LrSchedule, learningRateAt } from './training/schedules.ts';
export {
  type ImageSplit,
  isTextSplit,
  type TextSplit,
  type TrainingSplit,
} from './training/splits.ts';
