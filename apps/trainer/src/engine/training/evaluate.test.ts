import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { evaluateSplit } from './evaluate.ts';
import type { ImageSplit } from './splits.ts';

/**
 * A 1×1×1 "image" model whose logits are x·w (bias 0): with x = 1 the logits
 * are exactly w, so the expected softmax is computable by hand.
 */
function linearModel(weights: number[]): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [1, 1, 1] }),
      tf.layers.dense({ units: weights.length, useBias: false }),
    ],
  });
  model.setWeights([tf.tensor2d([weights])]);
  return model;
}

function split(values: number[]): ImageSplit {
  return {
    images: Float32Array.from(values),
    labels: new Int32Array(values.length),
    count: values.length,
    imageSize: 1,
    channels: 1,
  };
}

function softmax(logits: number[]): number[] {
  const exps = logits.map((l) => Math.exp(l));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

describe('evaluateSplit', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('returns dense softmax probabilities up to 100 classes', () => {
    const model = linearModel([0, 1, 2]);
    const { predictions, probabilities } = evaluateSplit(model, split([1, -1]), 3);
    expect(Array.from(predictions)).toEqual([2, 0]);
    if (probabilities.kind !== 'dense') throw new Error('expected dense probabilities');
    const want = [...softmax([0, 1, 2]), ...softmax([0, -1, -2])];
    Array.from(probabilities.values).forEach((p, i) => {
      expect(p).toBeCloseTo(want[i] ?? Number.NaN, 6);
    });
    model.dispose();
  });

  it('keeps only the top-k ids and probabilities above 100 classes', () => {
    const logits = Array.from({ length: 101 }, (_, c) => (c === 42 ? 3 : c === 7 ? 2 : 0));
    const model = linearModel(logits);
    const before = tf.memory().numTensors;
    const { predictions, probabilities } = evaluateSplit(model, split([1]), 101, 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(predictions)).toEqual([42]);
    if (probabilities.kind !== 'top-k') throw new Error('expected top-k probabilities');
    expect(probabilities.k).toBe(2);
    expect(Array.from(probabilities.ids)).toEqual([42, 7]);
    const full = softmax(logits);
    expect(probabilities.values[0]).toBeCloseTo(full[42] ?? Number.NaN, 6);
    expect(probabilities.values[1]).toBeCloseTo(full[7] ?? Number.NaN, 6);
    model.dispose();
  });
});
