/**
 * One optimizer step on one batch, returning the loss and how many examples the
 * training-mode forward pass got right (for the running accuracy, without a second pass).
 */
import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss, kdLoss } from '../kd-loss.ts';
import { type FusedKd, float32Values, fusedTrainingLoss } from './fused-loss.ts';
import type { TrainingOptimizer } from './optimizers.ts';
import { batchTensor, type InputLayout } from './splits.ts';

/**
 * A distilled student's soft targets: the teacher itself, run on every batch ('live'), or its
 * logits on the whole training split, computed once ('cached'; see teacherLogitsOn).
 */
export type KdSetup = { temperature: number; alpha: number } & (
  | { teacher: tf.LayersModel; teacherLogits?: undefined }
  | { teacherLogits: Float32Array; teacher?: undefined }
);

/** The cached teacher logits of a batch's examples, in the batch's order. */
export function gatherTeacherLogits(
  logits: Float32Array,
  numClasses: number,
  order: Int32Array,
  start: number,
  end: number,
): Float32Array {
  const rows = new Float32Array((end - start) * numClasses);
  for (let i = start; i < end; i++) {
    const idx = order[i] ?? 0;
    rows.set(logits.subarray(idx * numClasses, (idx + 1) * numClasses), (i - start) * numClasses);
  }
  return rows;
}

function fail(message: string): never {
  throw new Error(message);
}

/** Forward pass that insists on a single concrete tensor (our models have one output). */
export function forward(model: tf.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor {
  const out = model.apply(x, { training });
  if (!(out instanceof tf.Tensor)) throw new Error('trainUnit: model must have exactly one output');
  return out;
}

/**
 * The tf.Variables behind a model's trainable weights. LayerVariable.read()
 * is typed as Tensor but returns the underlying Variable; we check instead of
 * casting so a future tfjs change fails loudly rather than silently.
 */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => {
    const v = w.read();
    if (!(v instanceof tf.Variable))
      throw new Error(`trainUnit: weight ${w.name} is not a tf.Variable`);
    return v;
  });
}

export function trainStep(
  model: tf.LayersModel,
  optimizer: TrainingOptimizer,
  variables: readonly tf.Variable[],
  kd: KdSetup | undefined,
  layout: InputLayout,
  batch: {
    inputs: Float32Array | Int32Array;
    oneHot: Float32Array;
    /** The batch's rows of the cached teacher logits, when kd has them. */
    teacherLogits?: Float32Array;
  },
  n: number,
): { loss: number; correct: number } {
  return fusedLossBackends.has(tf.getBackend())
    ? fusedStep(model, optimizer, variables, kd, layout, batch, n)
    : tensorOpStep(model, optimizer, variables, kd, layout, batch, n);
}

/**
 * Backends that compute on this thread, where fused-loss.ts reads the logits as a plain copy; on
 * tfjs-node's the read would stall the device between the forward and the backward pass.
 */
const fusedLossBackends = new Set(['wasm', 'cpu']);

type StepArgs = Parameters<typeof trainStep>;

function fusedStep(...[model, optimizer, variables, kd, layout, batch, n]: StepArgs) {
  let correct = 0;
  const cost = tf.tidy(() => {
    const x = batchTensor(layout, batch.inputs, n);
    // Teacher logits are computed (or read) outside minimize(): they are constants for the
    // student's update, so no gradient flows into the teacher.
    const fusedKd: FusedKd | undefined =
      kd === undefined
        ? undefined
        : {
            temperature: kd.temperature,
            alpha: kd.alpha,
            teacherLogits:
              kd.teacher !== undefined
                ? float32Values(forward(kd.teacher, x, false), "trainStep: the teacher's logits")
                : (batch.teacherLogits ??
                  fail('trainStep: cached teacher logits missing for a batch')),
          };
    return optimizer.minimize(() => {
      const fused = fusedTrainingLoss(forward(model, x, true), batch.oneHot, fusedKd);
      correct = fused.correct;
      return fused.loss;
    }, variables);
  });
  try {
    return { loss: cost.dataSync()[0] ?? Number.NaN, correct };
  } finally {
    cost.dispose();
  }
}

function tensorOpStep(...[model, optimizer, variables, kd, layout, batch, n]: StepArgs) {
  let correct: tf.Tensor | undefined;
  try {
    const cost = tf.tidy(() => {
      const x = batchTensor(layout, batch.inputs, n);
      const classes = batch.oneHot.length / n;
      const y = tf.tensor2d(batch.oneHot, [n, classes]);
      const teacherLogits =
        kd === undefined
          ? undefined
          : kd.teacher !== undefined
            ? forward(kd.teacher, x, false)
            : tf.tensor2d(
                batch.teacherLogits ?? fail('trainStep: cached teacher logits missing for a batch'),
                [n, classes],
              );
      return optimizer.minimize(() => {
        const logits = forward(model, x, true);
        // Kept past minimize's internal tidy; off the loss path, so it adds no gradient work.
        correct = tf.keep(
          tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), tf.argMax(y, -1)), 'int32')),
        );
        return teacherLogits === undefined || kd === undefined
          ? crossEntropyLoss(logits, y)
          : kdLoss(logits, teacherLogits, y, kd);
      }, variables);
    });
    const loss = cost.dataSync()[0] ?? Number.NaN;
    cost.dispose();
    return { loss, correct: correct?.dataSync()[0] ?? 0 };
  } finally {
    correct?.dispose();
  }
}
