/**
 * Trains one "unit" of a KD experiment: a teacher, a plain student, or a
 * student distilled from a teacher, on image or text (token id) data, then
 * scores it on the test split.
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
import { buildArchitecture } from './models/index.ts';
import { setDropoutStep } from './models/step-dropout.layer.ts';
import { buildModel, isArchitecture } from './models/toy-cnn.ts';
import {
  assertCheckpointMatches,
  type Checkpoint,
  type CheckpointIdentity,
  readCheckpoint,
  restoreCheckpoint,
  saveCheckpoint,
} from './training/checkpoint.ts';
import { EpochMeter, etaSeconds } from './training/epoch-meter.ts';
import { epochPermutation, epochSeed } from './training/epoch-order.ts';
import { type Evaluation, evaluateSplit } from './training/evaluate.ts';
import { createOptimizer, type TrainingOptimizer } from './training/optimizers.ts';
import { featureTaps } from './training/penultimate.ts';
import {
  applyPretrainedWeights,
  type PretrainedArtifacts,
  readPretrainedWeights,
} from './training/pretrained-weights.ts';
import { learningRateAt } from './training/schedules.ts';
import { gatherBatch, sliceInputs, type TrainingSplit } from './training/splits.ts';
import {
  forward,
  gatherTeacherLogits,
  trainableVariables,
  trainStep,
} from './training/train-step.ts';
import type {
  EpochMetrics,
  TrainUnitOptions,
  TrainUnitResult,
} from './training/train-unit.types.ts';
import { type ResolvedOptions, validateOptions } from './training/validate-options.ts';

export type {
  EpochMetrics,
  ModelOptions,
  OptimizerName,
  TrainProgress,
  TrainRole,
  TrainUnitOptions,
  TrainUnitResult,
} from './training/train-unit.types.ts';
export { trainRoles } from './training/train-unit.types.ts';

/** Lets timers / abort events / progress rendering run between steps. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const EVAL_BATCH = 256;

/** Argmax predictions over a split, in inference mode. */
export function predictClasses(model: tf.LayersModel, split: TrainingSplit): Int32Array {
  const predictions = new Int32Array(split.count);
  for (let start = 0; start < split.count; start += EVAL_BATCH) {
    const n = Math.min(EVAL_BATCH, split.count - start);
    const chunk = tf.tidy(() =>
      tf.argMax(forward(model, sliceInputs(split, start, n), false), -1).dataSync(),
    );
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

function build(opts: TrainUnitOptions, r: ResolvedOptions): tf.LayersModel {
  const { input, numClasses } = r;
  if (isArchitecture(opts.architecture)) {
    const [imageSize = 0, , channels = 3] = input.shape;
    return buildModel(opts.architecture, { imageSize, numClasses, seed: opts.seed, channels });
  }
  return buildArchitecture(opts.architecture, {
    ...r.modelOptions,
    inputShape: input.shape,
    numClasses,
    seed: opts.seed,
  });
}

/**
 * A teacher's logits on a split, examples × classes in the split's order, in inference mode: the
 * `teacherLogits` a seed's distilled students share instead of running the teacher every batch.
 * Per example the same numbers the live teacher gives inside a training batch (inference-mode
 * layers treat examples independently), so cached and live distillation train the same student.
 */
export async function teacherLogitsOn(
  teacher: tf.LayersModel,
  split: TrainingSplit,
  signal?: AbortSignal,
): Promise<Float32Array> {
  let logits: Float32Array | undefined;
  for (let start = 0; start < split.count; start += EVAL_BATCH) {
    signal?.throwIfAborted();
    const n = Math.min(EVAL_BATCH, split.count - start);
    const chunk = tf.tidy(() => forward(teacher, sliceInputs(split, start, n), false).dataSync());
    logits ??= new Float32Array(split.count * (chunk.length / n));
    logits.set(chunk, start * (chunk.length / n));
    // A large split takes seconds: let heartbeats and cancellation through between batches.
    await yieldToEventLoop();
  }
  return logits ?? new Float32Array(0);
}

/** Accuracy on the split scored between epochs (val if given, else test). */
function evalAccuracy(model: tf.LayersModel, split: TrainingSplit, numClasses: number): number {
  const predictions = predictClasses(model, split);
  return scorePredictions(predictions, split.labels, numClasses).accuracy;
}

export async function trainUnit(opts: TrainUnitOptions): Promise<TrainUnitResult> {
  const r = validateOptions(opts);
  opts.signal?.throwIfAborted();
  const { train, test } = opts.data;
  const evalSplit = opts.data.val ?? test;
  const { numClasses, kd } = r;
  const steps = Math.ceil(train.count / opts.batchSize);
  const totalSteps = steps * opts.epochs;
  const identity: CheckpointIdentity = {
    architecture: opts.architecture,
    inputShape: r.input.shape,
    numClasses,
    seed: opts.seed,
    optimizer: r.optimizer.name,
  };
  // Files are read (and their errors raised) before any tensor exists.
  const resumeFrom = await checkpointToResume(opts, identity);
  const pretrained: PretrainedArtifacts | undefined =
    opts.pretrained === undefined
      ? undefined
      : await readPretrainedWeights(opts.pretrained.dir, opts.pretrained.within);
  if (opts.checkpointDir !== undefined) await mkdir(opts.checkpointDir, { recursive: true });

  const model = build(opts, r);
  let optimizer: TrainingOptimizer | undefined;
  const history: EpochMetrics[] = [];
  let processed = 0;
  let finalLoss = Number.NaN;
  let startEpoch = 1;
  let trainSeconds = 0;
  let stepsDone = 0;
  try {
    if (pretrained !== undefined) applyPretrainedWeights(model, pretrained);
    // A model without a final Dense classifier has no penultimate features: say so before training.
    if (opts.features === true) featureTaps(model);
    optimizer = createOptimizer(r.optimizer, opts.learningRate);
    // Only the trained model's weights: the teacher must never receive updates.
    const varList = trainableVariables(model);
    if (resumeFrom !== undefined) {
      await restoreCheckpoint(resumeFrom, model, optimizer);
      startEpoch = resumeFrom.manifest.epoch + 1;
      history.push(...(resumeFrom.manifest.history ?? []));
    }
    for (let epoch = startEpoch; epoch <= opts.epochs; epoch++) {
      const order = epochPermutation(train.count, opts.seed, epoch);
      const meter = new EpochMeter();
      const epochStart = performance.now();
      const secondsSoFar = () => trainSeconds + (performance.now() - epochStart) / 1000;
      for (let step = 1; step <= steps; step++) {
        opts.signal?.throwIfAborted();
        const globalStep = (epoch - 1) * steps + (step - 1);
        optimizer.setLearningRate(
          learningRateAt(globalStep, totalSteps, opts.learningRate, r.schedule),
        );
        const start = (step - 1) * opts.batchSize;
        const end = Math.min(train.count, start + opts.batchSize);
        // Augmentation draws follow (seed, epoch, step), so a resumed run replays them exactly.
        const augment =
          r.augment === undefined
            ? undefined
            : { ...r.augment, seed: epochSeed(epochSeed(opts.seed, epoch), step) };
        const batch = {
          ...gatherBatch(train, order, start, end, numClasses, augment),
          ...(kd?.teacherLogits === undefined
            ? {}
            : {
                teacherLogits: gatherTeacherLogits(kd.teacherLogits, numClasses, order, start, end),
              }),
        };
        // Dropout masks follow the global step, so resuming replays the same masks.
        setDropoutStep(model, globalStep);
        const { loss, correct } = trainStep(
          model,
          optimizer,
          varList,
          kd,
          r.input,
          batch,
          end - start,
        );
        finalLoss = loss;
        meter.add(loss, correct, end - start);
        processed += end - start;
        stepsDone++;
        if (opts.onProgress !== undefined) {
          const seconds = secondsSoFar();
          opts.onProgress({
            epoch,
            epochs: opts.epochs,
            step,
            steps,
            fraction: (globalStep + 1) / totalSteps,
            loss,
            accuracy: meter.accuracy,
            imagesPerSec: seconds > 0 ? processed / seconds : 0,
            etaSeconds: etaSeconds(seconds, stepsDone, totalSteps - globalStep - 1),
          });
        }
        await yieldToEventLoop();
      }
      const epochSeconds = (performance.now() - epochStart) / 1000;
      trainSeconds += epochSeconds;
      // Evaluation runs in inference mode and changes no state, so it may precede the checkpoint.
      const evaluate =
        r.evaluateEvery > 0 && (epoch % r.evaluateEvery === 0 || epoch === opts.epochs);
      const metrics: EpochMetrics = {
        epoch,
        loss: meter.loss,
        trainAccuracy: meter.accuracy,
        ...(evaluate ? { evalAccuracy: evalAccuracy(model, evalSplit, numClasses) } : {}),
        imagesPerSec: epochSeconds > 0 ? meter.examples / epochSeconds : 0,
        seconds: epochSeconds,
      };
      history.push(metrics);
      if (opts.checkpointDir !== undefined) {
        await saveCheckpoint(
          opts.checkpointDir,
          identity,
          { epoch, step: epoch * steps, history },
          model,
          optimizer,
        );
      }
      opts.onEpoch?.(metrics);
    }
  } catch (err) {
    // Aborted or failed: release everything we allocated before rethrowing.
    optimizer?.dispose();
    model.dispose();
    throw err;
  }
  optimizer.dispose();

  let evaluation: Evaluation;
  try {
    evaluation = evaluateSplit(model, test, numClasses, r.topK, {
      features: opts.features === true,
    });
  } catch (err) {
    model.dispose();
    throw err;
  }
  const scores = scorePredictions(evaluation.predictions, test.labels, numClasses);
  return {
    model,
    predictions: evaluation.predictions,
    probabilities: evaluation.probabilities,
    accuracy: scores.accuracy,
    classAccuracy: scores.classAccuracy,
    ...(evaluation.features === undefined ? {} : { features: evaluation.features }),
    history,
    trainSeconds,
    imagesPerSec: trainSeconds > 0 ? processed / trainSeconds : 0,
    finalLoss,
    resumedFromEpoch: startEpoch - 1,
  };
}
