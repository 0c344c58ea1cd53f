/**
 * The contract of trainUnit: options, progress events, per-epoch metrics and the result.
 * Kept apart from the loop so the job queue and the CLI can import the types without it.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ConfinedFiles } from '../../datasets/confined-files.ts';
import type { ArchitectureName, BuildArchitectureOptions } from '../models/index.ts';
import type { Architecture } from '../models/toy-cnn.ts';
import type { TestProbabilities } from './evaluate.ts';
import type { OptimizerConfig } from './optimizers.ts';
import type { PenultimateFeatures } from './penultimate.ts';
import type { LrSchedule } from './schedules.ts';
import type { TrainingSplit } from './splits.ts';

export const trainRoles = ['teacher', 'student', 'distilled'] as const;
export type TrainRole = (typeof trainRoles)[number];
/** Shorthands kept for existing callers: 'adam' = { name: 'adam' }, 'sgd-momentum' = { name: 'sgd', momentum: 0.9 }. */
export type OptimizerName = 'adam' | 'sgd-momentum';

/** Architecture hyper-parameters (vocabSize, mlp hidden widths, transformer/bigru sizes). */
export type ModelOptions = Omit<BuildArchitectureOptions, 'inputShape' | 'numClasses' | 'seed'>;

export interface TrainProgress {
  /** 1-based epoch. */
  epoch: number;
  epochs: number;
  /** 1-based step within the epoch. */
  step: number;
  /** Steps per epoch. */
  steps: number;
  /** Overall completion in [0, 1]. */
  fraction: number;
  /** Loss of the step just taken. */
  loss: number;
  /** Training accuracy over this epoch's batches so far (running; forward pass in training mode). */
  accuracy: number;
  /** Training throughput of this call so far (examples/s; images or texts). */
  imagesPerSec: number;
  /** Remaining training time at this call's step rate so far (evaluations not included). */
  etaSeconds: number;
}

/** One finished epoch. */
export interface EpochMetrics {
  /** 1-based epoch. */
  epoch: number;
  /** Mean training loss over the epoch's steps. */
  loss: number;
  /** Training accuracy over the epoch's batches (running, training-mode forward pass). */
  trainAccuracy: number;
  /** Accuracy on data.val (else data.test); only on evaluated epochs (see evaluateEvery). */
  evalAccuracy?: number;
  /** Training examples per second in this epoch. */
  imagesPerSec: number;
  /** Wall time of the epoch's training steps (evaluation excluded). */
  seconds: number;
}

export interface TrainUnitOptions {
  role: TrainRole;
  /** The demo's toy CNNs, or any architecture of the paper (resnet20, lenet5, transformer, bigru...). */
  architecture: Architecture | ArchitectureName;
  /**
   * Image splits for image models, text splits (token ids) for 'transformer' and 'bigru'.
   * `val`, when given, is what evaluateEvery scores; the final scores are always on `test`.
   */
  data: { train: TrainingSplit; test: TrainingSplit; val?: TrainingSplit };
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Seeds weight init and per-epoch shuffling. */
  seed: number;
  /** KD temperature; required iff role === 'distilled'. */
  temperature?: number;
  /** KD soft-target weight in [0, 1] (default 0.8); only for role === 'distilled'. */
  alpha?: number;
  /**
   * Trained teacher; a distilled student needs it or `teacherLogits` (exactly one). Not modified.
   * With it, the teacher runs on every training batch ('live').
   */
  teacher?: tf.LayersModel;
  /**
   * The teacher's logits on `data.train`, examples × classes in the split's order (see
   * teacherLogitsOn): the soft targets of every batch are read from here instead of running the
   * teacher ('cached'). The logits are the same whatever the temperature, so one array serves all
   * of a seed's distilled students. Not with `augment`: the teacher must see each augmented batch.
   */
  teacherLogits?: Float32Array;
  /** Default: classNames.length of the train split, else max label + 1. */
  numClasses?: number;
  /**
   * Hyper-parameters of a named architecture. Text models: vocabSize defaults to the largest
   * token id in the data + 1 (pass the loader's vocabulary length to match a saved model).
   */
  modelOptions?: ModelOptions;
  /** Default 'adam'; a shorthand name or a full OptimizerConfig (SGD/Adam/AdamW, weight decay). */
  optimizer?: OptimizerName | OptimizerConfig;
  /** Learning-rate schedule over optimizer steps (default constant). `learningRate` is its base. */
  schedule?: LrSchedule;
  /** Saves a checkpoint here after every epoch (directory created if missing). */
  checkpointDir?: string;
  /**
   * Continue from checkpointDir's checkpoint, if it has one (else start fresh).
   * A checkpoint of another architecture, input shape, class count, seed or
   * optimizer is an error, raised before any training.
   */
  resume?: boolean;
  /**
   * Start from weights saved in tfjs layers format (model.json + .bin shards, see
   * saveModelWeights) instead of the seeded initialisation. A resumed checkpoint wins over it.
   */
  pretrained?: {
    dir: string;
    /** `dir`'s confinement when the worker already checked it (ConfinedFiles.ofRealFolder). */
    within?: ConfinedFiles;
  };
  /** Evaluate on data.val (else data.test) after every N-th epoch and after the last one. */
  evaluateEvery?: number;
  /** Return the test examples' penultimate features (input of the final Dense layer). */
  features?: boolean;
  /**
   * Image models: the CIFAR training augmentation (zero-pad, random crop, horizontal flip) on
   * every training batch, seeded by (seed, epoch, step); the teacher of a distilled student sees
   * the same augmented batch. Off by default.
   */
  augment?: { padding?: number; flip?: boolean };
  /** Above 100 classes, how many top classes per test example keep their probability (default 5). */
  topK?: number;
  onProgress?: (p: TrainProgress) => void;
  /** Called after every epoch (after its evaluation, if any). */
  onEpoch?: (m: EpochMetrics) => void;
  signal?: AbortSignal;
}

export interface TrainUnitResult {
  /** The trained model; the caller owns it (dispose() when done). */
  model: tf.LayersModel;
  /** Argmax class per test example. */
  predictions: Int32Array;
  /** Softmax class probabilities per test example (top-k only above 100 classes). */
  probabilities: TestProbabilities;
  /** Test accuracy (NaN for an empty test split). */
  accuracy: number;
  /** Per-class test accuracy (recall); NaN for classes without test examples. */
  classAccuracy: number[];
  /** Penultimate features of the test examples; only with `features: true`. */
  features?: PenultimateFeatures;
  /** One entry per epoch, 1..epochs; after a resume the restored epochs come from the checkpoint. */
  history: EpochMetrics[];
  /** Wall time of the training steps (evaluations and checkpoint writes excluded). */
  trainSeconds: number;
  /** Training examples processed per second by this call (resumed epochs are not counted). */
  imagesPerSec: number;
  /** Loss of the last training step (NaN if this call trained no step). */
  finalLoss: number;
  /** Epochs restored from the checkpoint (0 for a fresh run). */
  resumedFromEpoch: number;
}
