/**
 * Scores a trained model on a split: argmax class plus class probabilities per
 * example, which the calibration and per-example comparison metrics need, and
 * optionally the penultimate features (individual fairness).
 *
 * With many classes (ImageNet-style 1000) a dense [count, classes] matrix is
 * large and almost all mass sits in a few classes, so above
 * DENSE_PROBABILITY_LIMIT classes only the top-k ids and probabilities are kept.
 */
import * as tf from '@tensorflow/tfjs';
import { featuresAndLogits, featureTaps, type PenultimateFeatures } from './penultimate.ts';
import { sliceInputs, type TrainingSplit } from './splits.ts';

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
  /** Only when asked for (`features: true`). */
  features?: PenultimateFeatures;
}

export interface EvaluateOptions {
  /** Also return the activations feeding the final Dense layer. */
  features?: boolean;
}

function logits(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  const out = model.apply(x, { training: false });
  if (!(out instanceof tf.Tensor)) throw new Error('evaluate: model must have exactly one output');
  return out;
}

/** Inference-mode predictions and probabilities; `topK` (default 5) applies above 100 classes. */
export function evaluateSplit(
  model: tf.LayersModel,
  split: TrainingSplit,
  numClasses: number,
  topK = 5,
  options: EvaluateOptions = {},
): Evaluation {
  if (!(Number.isInteger(topK) && topK >= 1)) {
    throw new Error(`evaluate: topK must be an integer >= 1, got ${topK}`);
  }
  const dense = numClasses <= DENSE_PROBABILITY_LIMIT;
  const k = Math.min(topK, numClasses);
  const width = dense ? numClasses : k;
  const taps = options.features === true ? featureTaps(model) : undefined;
  const predictions = new Int32Array(split.count);
  const values = new Float32Array(split.count * width);
  const ids = new Int32Array(dense ? 0 : split.count * k);
  const features = new Float32Array(taps === undefined ? 0 : split.count * taps.d);
  for (let start = 0; start < split.count; start += EVAL_BATCH) {
    const n = Math.min(EVAL_BATCH, split.count - start);
    // Everything is read back inside tidy, so no tensor outlives its batch.
    const batch = tf.tidy(() => {
      const x = sliceInputs(split, start, n);
      const [feats, out] =
        taps === undefined ? [undefined, logits(model, x)] : featuresAndLogits(model, taps, x);
      const probs = tf.softmax(out);
      const argmax = tf.argMax(out, -1).dataSync<'int32'>();
      const featureValues = feats?.dataSync<'float32'>();
      if (dense) {
        return { argmax, probs: probs.dataSync<'float32'>(), top: undefined, featureValues };
      }
      const top = tf.topk(probs, k, true);
      return {
        argmax,
        probs: top.values.dataSync<'float32'>(),
        top: top.indices.dataSync<'int32'>(),
        featureValues,
      };
    });
    predictions.set(batch.argmax, start);
    values.set(batch.probs, start * width);
    if (batch.top !== undefined) ids.set(batch.top, start * k);
    if (taps !== undefined && batch.featureValues !== undefined) {
      features.set(batch.featureValues, start * taps.d);
    }
  }
  return {
    predictions,
    probabilities: dense
      ? { kind: 'dense', numClasses, values }
      : { kind: 'top-k', k, ids, values },
    ...(taps === undefined ? {} : { features: { values: features, d: taps.d } }),
  };
}
