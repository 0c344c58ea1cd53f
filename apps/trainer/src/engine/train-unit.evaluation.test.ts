import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateToyShapes, splitToyShapes } from '../datasets/toy-shapes.dataset.ts';
import { initBackend } from './backend.ts';
import { type EpochMetrics, predictClasses, type TrainProgress, trainUnit } from './train-unit.ts';

// 96 training images = 3 steps of 32 per epoch; tiny so the suite stays fast.
const toy = splitToyShapes(generateToyShapes({ count: 176, seed: 8 }), 96);
const val = splitToyShapes(generateToyShapes({ count: 40, seed: 9 }), 0).test;
const base = { batchSize: 32, learningRate: 0.01, seed: 2, role: 'student' } as const;

describe('trainUnit: history, progress and features', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('records every epoch, evaluates every N-th and the last, on the validation split', async () => {
    const progress: TrainProgress[] = [];
    const epochs: EpochMetrics[] = [];
    const res = await trainUnit({
      ...base,
      architecture: 'toy-cnn-student',
      data: { ...toy, val },
      epochs: 3,
      evaluateEvery: 2,
      onProgress: (p) => progress.push(p),
      onEpoch: (m) => epochs.push(m),
    });
    expect(res.history).toEqual(epochs);
    expect(res.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(res.history.map((h) => h.evalAccuracy === undefined)).toEqual([true, false, false]);
    // The last evaluation scored the returned model on val: recount it by hand.
    const onVal = predictClasses(res.model, val);
    const hits = onVal.filter((p, i) => p === val.labels[i]).length;
    expect(res.history[2]?.evalAccuracy).toBeCloseTo(hits / val.count, 10);

    for (const h of res.history) {
      const steps = progress.filter((p) => p.epoch === h.epoch);
      expect(steps).toHaveLength(3);
      // History loss = mean of the epoch's step losses; trainAccuracy = the last running value.
      expect(h.loss).toBeCloseTo(steps.reduce((s, p) => s + p.loss, 0) / 3, 6);
      expect(h.trainAccuracy).toBe(steps.at(-1)?.accuracy);
      expect(h.seconds).toBeGreaterThan(0);
      expect(h.imagesPerSec).toBeCloseTo(96 / h.seconds, 6);
    }
    for (const p of progress) {
      expect(p.accuracy).toBeGreaterThanOrEqual(0);
      expect(p.accuracy).toBeLessThanOrEqual(1);
      expect(p.etaSeconds).toBeGreaterThanOrEqual(0);
    }
    // Running accuracy of step 1 is one batch of 32: a multiple of 1/32.
    expect(((progress[0]?.accuracy ?? 0.5) * 32) % 1).toBe(0);
    expect(progress.at(-1)?.etaSeconds).toBe(0);
    expect(progress[0]?.etaSeconds).toBeGreaterThan(progress[4]?.etaSeconds ?? 0);
    res.model.dispose();
  });

  it('returns penultimate features that the classifier maps to the reported probabilities', async () => {
    const before = tf.memory().numTensors;
    const res = await trainUnit({
      ...base,
      architecture: 'toy-cnn-teacher',
      data: toy,
      epochs: 1,
      features: true,
    });
    // Only the model's weights survive: the feature pass leaked nothing.
    expect(tf.memory().numTensors - before).toBe(res.model.weights.length);
    const { features, probabilities } = res;
    if (features === undefined || probabilities.kind !== 'dense') throw new Error('missing output');
    // The toy teacher's classifier reads its dense-64 ReLU layer.
    expect(features.d).toBe(64);
    expect(features.values).toHaveLength(80 * 64);
    expect(Math.min(...features.values)).toBeGreaterThanOrEqual(0);
    // Independent path: softmax(features · W + b) with the final layer's own weights.
    const [kernel, bias] = res.model.layers.at(-1)?.getWeights() ?? [];
    if (kernel === undefined || bias === undefined) throw new Error('no classifier weights');
    const recomputed = tf.tidy(() =>
      tf
        .softmax(tf.add(tf.matMul(tf.tensor2d(features.values, [80, 64]), kernel), bias))
        .dataSync(),
    );
    recomputed.forEach((p, i) => {
      expect(p).toBeCloseTo(probabilities.values[i] ?? Number.NaN, 5);
    });
    res.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
