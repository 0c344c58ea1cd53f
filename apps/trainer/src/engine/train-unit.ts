/**
 * Trains one "unit" of a KD experiment: a teacher, a plain student, or a
 * student distilled from a teacher, then scores it on the test split.
 *
 * Why a custom loop instead of model.fit: the distilled student's loss needs
 * the teacher's logits for the very same (shuffled) batch, which fit() cannot
 * express; a hand-written loop also gives us per-step progress, cancellation
 * through an AbortSignal, seeded shuffling and exact tensor bookkeeping.
 *
 * Resumable: with `checkpointDir` the full state (weights, optimizer slots,
 * epoch) is saved after every epoch, and `resume: true` continues from it with
 * the same result as an uninterrupted run, because each epoch's shuffle is a
 * function of (seed, epoch) and the LR schedule a function of the global step.
 */
import { mkdir } from 'node:fs/promises';
import { accuracy, classAccuracy } from '@kdlens/metrics';
import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss, kdLoss, validateKdOptions } from './kd-loss.ts';
import { type ArchitectureName, buildArchitecture, isArchitectureName } from './models/index.ts';
import { type Architecture, buildModel, isArchitecture } from './models.ts';
import type { ImageSplit } from './toy-shapes.dataset.ts';
import {
  assertCheckpointMatches,
  type Checkpoint,
  type CheckpointIdentity,
  readCheckpoint,
  restoreCheckpoint,
  saveCheckpoint,
} from './training/checkpoint.ts';
import { epochPermutation } from './training/epoch-order.ts';
import { evaluateSplit, type TestProbabilities } from './training/evaluate.ts';
import {
  createOptimizer,
  type OptimizerConfig,
  type TrainingOptimizer,
  validateOptimizerConfig,
} from './training/optimizers.ts';
import { type LrSchedule, learningRateAt, validateSchedule } from './training/schedules.ts';

export const trainRoles = ['teacher', 'student', 'distilled'] as const;
export type TrainRole = (typeof trainRoles)[number];
/** Shorthands kept for existing callers: 'adam' = { name: 'adam' }, 'sgd-momentum' = { name: 'sgd', momentum: 0.9 }. */
export type OptimizerName = 'adam' | 'sgd-momentum';

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
  /** Training throughput so far. */
  imagesPerSec: number;
}

export interface TrainUnitOptions {
  role: TrainRole;
  /** The demo's toy CNNs, or any image architecture of the paper (resnet20, lenet5, ...). */
  architecture: Architecture | ArchitectureName;
  data: { train: ImageSplit; test: ImageSplit };
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Seeds weight init and per-epoch shuffling. */
  seed: number;
  /** KD temperature; required iff role === 'distilled'. */
  temperature?: number;
  /** KD soft-target weight in [0, 1] (default 0.8); only for role === 'distilled'. */
  alpha?: number;
  /** Trained teacher; required iff role === 'distilled'. Not modified. */
  teacher?: tf.LayersModel;
  /** Default: classNames.length of the train split, else max label + 1. */
  numClasses?: number;
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
  /** Above 100 classes, how many top classes per test example keep their probability (default 5). */
  topK?: number;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
}

export interface TrainUnitResult {
  /** The trained model; the caller owns it (dispose() when done). */
  model: tf.LayersModel;
  /** Argmax class per test image. */
  predictions: Int32Array;
  /** Softmax class probabilities per test image (top-k only above 100 classes). */
  probabilities: TestProbabilities;
  /** Test accuracy (NaN for an empty test split). */
  accuracy: number;
  /** Per-class test accuracy (recall); NaN for classes without test examples. */
  classAccuracy: number[];
  /** Wall time of the training loop (excludes the final evaluation). */
  trainSeconds: number;
  /** Training images processed per second by this call (resumed epochs are not counted). */
  imagesPerSec: number;
  /** Loss of the last training step (NaN if this call trained no step). */
  finalLoss: number;
  /** Epochs restored from the checkpoint (0 for a fresh run). */
  resumedFromEpoch: number;
}

interface Resolved {
  numClasses: number;
  imageSize: number;
  channels: number;
  optimizer: OptimizerConfig;
  schedule: LrSchedule;
  topK: number;
  kd?: { teacher: tf.LayersModel; temperature: number; alpha: number };
}

function resolveOptimizer(option: OptimizerName | OptimizerConfig | undefined): OptimizerConfig {
  if (option === undefined || option === 'adam') return { name: 'adam' };
  if (option === 'sgd-momentum') return { name: 'sgd', momentum: 0.9 };
  if (typeof option !== 'object' || option === null) {
    fail(
      `optimizer must be 'adam', 'sgd-momentum' or an optimizer config, got '${String(option)}'`,
    );
  }
  validateOptimizerConfig(option);
  return option;
}

function fail(message: string): never {
  throw new Error(`trainUnit: ${message}`);
}

function checkSplit(name: string, split: ImageSplit, numClasses: number | undefined): void {
  const channels = split.channels ?? 3;
  if (!Number.isInteger(split.count) || split.count < 0)
    fail(`${name}.count must be a non-negative integer`);
  const expected = split.count * split.imageSize * split.imageSize * channels;
  if (split.images.length !== expected) {
    fail(
      `${name}.images has ${split.images.length} values, expected ${expected} (count × size² × channels)`,
    );
  }
  if (split.labels.length !== split.count) {
    fail(`${name}.labels has ${split.labels.length} entries, expected ${split.count}`);
  }
  if (numClasses !== undefined) {
    for (const label of split.labels) {
      if (label < 0 || label >= numClasses)
        fail(`${name} has label ${label} outside [0, ${numClasses})`);
    }
  }
}

function maxLabel(labels: Int32Array): number {
  let m = -1;
  for (const l of labels) m = Math.max(m, l);
  return m;
}

/** Output width / input shape of a LayersModel, for teacher compatibility checks. */
function ioShapes(model: tf.LayersModel): { input: (number | null)[]; output: (number | null)[] } {
  const input = model.inputs[0]?.shape ?? [];
  const output = model.outputs[0]?.shape ?? [];
  return { input, output };
}

/** All option checks happen here, before any tensor is allocated. */
function validate(opts: TrainUnitOptions): Resolved {
  if (!(trainRoles as readonly string[]).includes(opts.role)) {
    fail(`role must be one of ${trainRoles.join(', ')}, got '${String(opts.role)}'`);
  }
  if (!isArchitecture(opts.architecture) && !isArchitectureName(opts.architecture))
    fail(`unknown architecture '${String(opts.architecture)}'`);
  if (opts.architecture === 'transformer' || opts.architecture === 'bigru') {
    fail(`${opts.architecture} is a text model; trainUnit trains image models`);
  }
  if (!Number.isInteger(opts.epochs) || opts.epochs < 1)
    fail(`epochs must be an integer >= 1, got ${opts.epochs}`);
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) {
    fail(`batchSize must be an integer >= 1, got ${opts.batchSize}`);
  }
  if (!(Number.isFinite(opts.learningRate) && opts.learningRate > 0)) {
    fail(`learningRate must be a finite number > 0, got ${opts.learningRate}`);
  }
  if (!Number.isFinite(opts.seed)) fail(`seed must be a finite number, got ${opts.seed}`);
  let optimizer: OptimizerConfig;
  let schedule: LrSchedule;
  try {
    optimizer = resolveOptimizer(opts.optimizer);
    schedule = opts.schedule ?? { name: 'constant' };
    validateSchedule(schedule);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const topK = opts.topK ?? 5;
  if (!(Number.isInteger(topK) && topK >= 1)) fail(`topK must be an integer >= 1, got ${topK}`);
  if (opts.resume === true && opts.checkpointDir === undefined) {
    fail("'resume' needs a 'checkpointDir' to resume from");
  }

  const { train, test } = opts.data ?? fail('data { train, test } is required');
  if (train === undefined || test === undefined)
    fail('data must contain both train and test splits');
  if (train.imageSize !== test.imageSize) {
    fail(`train/test image sizes differ (${train.imageSize} vs ${test.imageSize})`);
  }
  const channels = train.channels ?? 3;
  if ((test.channels ?? 3) !== channels) fail('train/test channel counts differ');
  const numClasses =
    opts.numClasses ??
    train.classNames?.length ??
    Math.max(maxLabel(train.labels), maxLabel(test.labels)) + 1;
  if (!Number.isInteger(numClasses) || numClasses < 2)
    fail(`numClasses must be an integer >= 2, got ${numClasses}`);
  checkSplit('data.train', train, numClasses);
  checkSplit('data.test', test, numClasses);
  if (train.count < 1) fail('data.train is empty');

  if (opts.role !== 'distilled') {
    if (opts.teacher !== undefined)
      fail(`'teacher' is only used when role is 'distilled' (role: ${opts.role})`);
    if (opts.temperature !== undefined) {
      fail(`'temperature' is only used when role is 'distilled' (role: ${opts.role})`);
    }
    if (opts.alpha !== undefined)
      fail(`'alpha' is only used when role is 'distilled' (role: ${opts.role})`);
    return { numClasses, imageSize: train.imageSize, channels, optimizer, schedule, topK };
  }

  const teacher = opts.teacher ?? fail("role 'distilled' requires a trained 'teacher' model");
  if (opts.temperature === undefined) fail("role 'distilled' requires a 'temperature' (> 0)");
  let kdOpts: { temperature: number; alpha: number };
  try {
    kdOpts = validateKdOptions({ temperature: opts.temperature, alpha: opts.alpha });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const { input, output } = ioShapes(teacher);
  const wantInput = [train.imageSize, train.imageSize, channels];
  if (input.length !== 4 || wantInput.some((d, i) => input[i + 1] !== d)) {
    fail(
      `teacher input shape [${input.join(', ')}] does not match images [*, ${wantInput.join(', ')}]`,
    );
  }
  if (output.length !== 2 || output[1] !== numClasses) {
    fail(`teacher output shape [${output.join(', ')}] does not match numClasses ${numClasses}`);
  }
  return {
    numClasses,
    imageSize: train.imageSize,
    channels,
    optimizer,
    schedule,
    topK,
    kd: { teacher, ...kdOpts },
  };
}

/** Forward pass that insists on a single concrete tensor (our models have one output). */
function forward(model: tf.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor {
  const out = model.apply(x, { training });
  if (!(out instanceof tf.Tensor)) throw new Error('trainUnit: model must have exactly one output');
  return out;
}

/**
 * The tf.Variables behind a model's trainable weights. LayerVariable.read()
 * is typed as Tensor but returns the underlying Variable; we check instead of
 * casting so a future tfjs change fails loudly rather than silently.
 */
function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => {
    const v = w.read();
    if (!(v instanceof tf.Variable))
      throw new Error(`trainUnit: weight ${w.name} is not a tf.Variable`);
    return v;
  });
}

/** Copies the selected examples into contiguous batch buffers (one-hot labels). */
function gatherBatch(
  split: ImageSplit,
  order: Int32Array,
  start: number,
  end: number,
  pixels: number,
  numClasses: number,
): { images: Float32Array; oneHot: Float32Array } {
  const n = end - start;
  const images = new Float32Array(n * pixels);
  const oneHot = new Float32Array(n * numClasses);
  for (let i = 0; i < n; i++) {
    const idx = order[start + i] ?? 0;
    images.set(split.images.subarray(idx * pixels, (idx + 1) * pixels), i * pixels);
    oneHot[i * numClasses + (split.labels[idx] ?? 0)] = 1;
  }
  return { images, oneHot };
}

/** Lets timers / abort events / progress rendering run between steps. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const EVAL_BATCH = 256;

/** Argmax predictions over a split, in inference mode. */
export function predictClasses(model: tf.LayersModel, split: ImageSplit): Int32Array {
  const channels = split.channels ?? 3;
  const pixels = split.imageSize * split.imageSize * channels;
  const predictions = new Int32Array(split.count);
  for (let start = 0; start < split.count; start += EVAL_BATCH) {
    const n = Math.min(EVAL_BATCH, split.count - start);
    const chunk = tf.tidy(() => {
      const x = tf.tensor4d(split.images.subarray(start * pixels, (start + n) * pixels), [
        n,
        split.imageSize,
        split.imageSize,
        channels,
      ]);
      return tf.argMax(forward(model, x, false), -1).dataSync();
    });
    predictions.set(chunk, start);
  }
  return predictions;
}

/** Overall and per-class accuracy (per-class = recall; NaN when a class is absent). */
export function scorePredictions(
  predictions: Int32Array,
  labels: Int32Array,
  numClasses: number,
): { accuracy: number; classAccuracy: number[] } {
  // The project's one definition of these numbers lives in @kdlens/metrics.
  return {
    accuracy: accuracy(labels, predictions),
    classAccuracy: Array.from(classAccuracy(labels, predictions, numClasses)),
  };
}

/** Reads the checkpoint to resume from and checks it belongs to this run; no tensors yet. */
async function checkpointToResume(
  opts: TrainUnitOptions,
  identity: CheckpointIdentity,
): Promise<Checkpoint | undefined> {
  if (opts.resume !== true || opts.checkpointDir === undefined) return undefined;
  const checkpoint = await readCheckpoint(opts.checkpointDir);
  if (checkpoint !== undefined) assertCheckpointMatches(checkpoint, identity);
  return checkpoint;
}

export async function trainUnit(opts: TrainUnitOptions): Promise<TrainUnitResult> {
  const r = validate(opts);
  opts.signal?.throwIfAborted();
  const { train, test } = opts.data;
  const { numClasses, imageSize, channels, kd } = r;
  const pixels = imageSize * imageSize * channels;
  const steps = Math.ceil(train.count / opts.batchSize);
  const totalSteps = steps * opts.epochs;
  const identity: CheckpointIdentity = {
    architecture: opts.architecture,
    inputShape: [imageSize, imageSize, channels],
    numClasses,
    seed: opts.seed,
    optimizer: r.optimizer.name,
  };
  const resumeFrom = await checkpointToResume(opts, identity);
  if (opts.checkpointDir !== undefined) await mkdir(opts.checkpointDir, { recursive: true });

  const model = isArchitecture(opts.architecture)
    ? buildModel(opts.architecture, { imageSize, numClasses, seed: opts.seed, channels })
    : buildArchitecture(opts.architecture, {
        inputShape: [imageSize, imageSize, channels],
        numClasses,
        seed: opts.seed,
      });
  const optimizer: TrainingOptimizer = createOptimizer(r.optimizer, opts.learningRate);
  // Only the trained model's weights: the teacher must never receive updates.
  const varList = trainableVariables(model);

  let processed = 0;
  let finalLoss = Number.NaN;
  let startEpoch = 1;
  const t0 = performance.now();
  try {
    if (resumeFrom !== undefined) {
      await restoreCheckpoint(resumeFrom, model, optimizer);
      startEpoch = resumeFrom.manifest.epoch + 1;
    }
    for (let epoch = startEpoch; epoch <= opts.epochs; epoch++) {
      const order = epochPermutation(train.count, opts.seed, epoch);
      for (let step = 1; step <= steps; step++) {
        opts.signal?.throwIfAborted();
        const globalStep = (epoch - 1) * steps + (step - 1);
        optimizer.setLearningRate(
          learningRateAt(globalStep, totalSteps, opts.learningRate, r.schedule),
        );
        const start = (step - 1) * opts.batchSize;
        const end = Math.min(train.count, start + opts.batchSize);
        const n = end - start;
        const batch = gatherBatch(train, order, start, end, pixels, numClasses);
        const cost = tf.tidy(() => {
          const x = tf.tensor4d(batch.images, [n, imageSize, imageSize, channels]);
          const y = tf.tensor2d(batch.oneHot, [n, numClasses]);
          // Teacher logits are computed outside minimize(): they are constants
          // for the student's update, so no gradient flows into the teacher.
          const teacherLogits = kd === undefined ? undefined : forward(kd.teacher, x, false);
          return optimizer.minimize(() => {
            const logits = forward(model, x, true);
            return kd === undefined || teacherLogits === undefined
              ? crossEntropyLoss(logits, y)
              : kdLoss(logits, teacherLogits, y, kd);
          }, varList);
        });
        finalLoss = cost.dataSync()[0] ?? Number.NaN;
        cost.dispose();
        processed += n;
        if (opts.onProgress !== undefined) {
          const seconds = (performance.now() - t0) / 1000;
          opts.onProgress({
            epoch,
            epochs: opts.epochs,
            step,
            steps,
            fraction: (globalStep + 1) / totalSteps,
            loss: finalLoss,
            imagesPerSec: seconds > 0 ? processed / seconds : 0,
          });
        }
        await yieldToEventLoop();
      }
      if (opts.checkpointDir !== undefined) {
        await saveCheckpoint(
          opts.checkpointDir,
          identity,
          { epoch, step: epoch * steps },
          model,
          optimizer,
        );
      }
    }
  } catch (err) {
    // Aborted or failed: release everything we allocated before rethrowing.
    optimizer.dispose();
    model.dispose();
    throw err;
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  optimizer.dispose();

  const { predictions, probabilities } = evaluateSplit(model, test, numClasses, r.topK);
  const { accuracy, classAccuracy } = scorePredictions(predictions, test.labels, numClasses);
  return {
    model,
    predictions,
    probabilities,
    accuracy,
    classAccuracy,
    trainSeconds,
    imagesPerSec: trainSeconds > 0 ? processed / trainSeconds : 0,
    finalLoss,
    resumedFromEpoch: startEpoch - 1,
  };
}
