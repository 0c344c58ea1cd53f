/**
 * Scores a trained model on a split: argmax class plus class probabilities per
 * example, which the calibration and per-example comparison metrics need.
 *
 * With many classes (ImageNet-style 1000) a dense [count, classes] matrix is
 * large and almost all mass sits in a few classes, so above
 * DENSE_PROBABILITY_LIMIT classes only the top-k ids and probabilities are kept.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '../toy-shapes.dataset.ts';

/** Up to this many classes the full probability vector is returned. */
export const DENSE_PROBABILITY_LIMIT = 100;
const EVAL_BATCH = 256;

export type TestProbabilities =
  | {
      kind: 'dense';
      numClasses: number;
      /** Row-major [count, numClasses]: softmax of the logits. */
      values: Float32Array;
    }
  | {
      kind: 'top-k';
      k: number;
      /** Row-major [count, k]: class ids, most probable first. */
      ids: Int32Array;
      /** Row-major [count, k]: their softmax probabilities (over all classes). */
      values: Float32Array;
    };

export interface Evaluation {
  /** Argmax class per example. */
  predictions: Int32Array;
  probabilities: TestProbabilities;
}

function logits(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  const out = model.apply(x, { training: false });
  if (!(out instanceof tf.Tensor)) throw new Error('evaluate: model must have exactly one output');
  return out;
}

/** Inference-mode predictions and probabilities; `topK` (default 5) applies above 100 classes. */
export function evaluateSplit(
  model: tf.LayersModel,
  split: ImageSplit,
  numClasses: number,
  topK = 5,
): Evaluation {
  if (!(Number.isInteger(topK) && topK >= 1)) {
    throw new Error(`evaluate: topK must be an integer >= 1, got ${topK}`);
  }
  const channels = split.channels ?? 3;
  const pixels = split.imageSize * split.imageSize * channels;
  const dense = numClasses <= DENSE_PROBABILITY_LIMIT;
  const k = Math.min(topK, numClasses);
  const width = dense ? numClasses : k;
  const predictions = new Int32Array(split.count);
  const values = new Float32Array(split.count * width);
  const ids = new Int32Array(dense ? 0 : split.count * k);
  for (let start = 0; start < split.count; start += EVAL_BATCH) {
    const n = Math.min(EVAL_BATCH, split.count - start);
    const batch = tf.tidy(() => {
      const x = tf.tensor4d(split.images.subarray(start * pixels, (start + n) * pixels), [
        n,
        split.imageSize,
        split.imageSize,
        channels,
      ]);
      const out = logits(model, x);
      const probs = tf.softmax(out);
      const argmax = tf.argMax(out, -1).dataSync<'int32'>();
      if (dense) return { argmax, probs: probs.dataSync<'float32'>(), top: undefined };
      const top = tf.topk(probs, k, true);
      return {
        argmax,
        probs: top.values.dataSync<'float32'>(),
        top: top.indices.dataSync<'int32'>(),
      };
    });
    predictions.set(batch.argmax, start);
    values.set(batch.probs, start * width);
    if (batch.top !== undefined) ids.set(batch.top, start * k);
  }
  return {
    predictions,
    probabilities: dense
      ? { kind: 'dense', numClasses, values }
      : { kind: 'top-k', k, ids, values },
  };
}
