/**
 * One optimizer step on one batch, returning the loss and how many examples the
 * training-mode forward pass got right (for the running accuracy, without a second pass).
 */
import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss, kdLoss } from '../kd-loss.ts';
import type { TrainingOptimizer } from './optimizers.ts';
import { batchTensor, type InputLayout } from './splits.ts';

export interface KdSetup {
  teacher: tf.LayersModel;
  temperature: number;
  alpha: number;
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
  batch: { inputs: Float32Array | Int32Array; oneHot: Float32Array },
  n: number,
): { loss: number; correct: number } {
  let correct: tf.Tensor | undefined;
  try {
    const cost = tf.tidy(() => {
      const x = batchTensor(layout, batch.inputs, n);
      const y = tf.tensor2d(batch.oneHot, [n, batch.oneHot.length / n]);
      // Teacher logits are computed outside minimize(): they are constants
      // for the student's update, so no gradient flows into the teacher.
      const teacherLogits = kd === undefined ? undefined : forward(kd.teacher, x, false);
      return optimizer.minimize(() => {
        const logits = forward(model, x, true);
        // Kept past minimize's internal tidy; off the loss path, so it adds no gradient work.
        correct = tf.keep(
          tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), tf.argMax(y, -1)), 'int32')),
        );
        return kd === undefined || teacherLogits === undefined
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
