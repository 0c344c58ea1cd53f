import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { createOptimizer } from './optimizers.ts';

/** A decayed kernel (rank 2) and an undecayed bias (rank 1), both starting at [1, −2]. */
function variables(): { kernel: tf.Variable; bias: tf.Variable } {
  return {
    kernel: tf.variable(tf.tensor2d([[1, -2]])),
    bias: tf.variable(tf.tensor1d([1, -2])),
  };
}

function values(v: tf.Variable): number[] {
  return Array.from(v.dataSync());
}

function expectClose(actual: number[], expected: number[], digits = 6): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => {
    expect(a).toBeCloseTo(expected[i] ?? Number.NaN, digits);
  });
}

describe('createOptimizer', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('SGD weight decay is L2 in the gradient, then momentum (PyTorch semantics)', () => {
    const { kernel, bias } = variables();
    const opt = createOptimizer({ name: 'sgd', momentum: 0.9, weightDecay: 0.01 }, 0.1);
    const g2 = tf.tensor2d([[0.5, 0.5]]);
    const g1 = tf.tensor1d([0.5, 0.5]);
    opt.applyGradients([kernel, bias], [g2, g1]);
    // g' = g + 0.01·w = [0.51, 0.48]; buf = g'; w = w − 0.1·buf.
    expectClose(values(kernel), [0.949, -2.048]);
    // Bias: no decay, buf = g, w = [1 − 0.05, −2 − 0.05].
    expectClose(values(bias), [0.95, -2.05]);
    opt.applyGradients([kernel, bias], [g2, g1]);
    // g' = [0.5 + 0.00949, 0.5 − 0.02048]; buf = 0.9·[0.51, 0.48] + g' = [0.96849, 0.91152].
    expectClose(values(kernel), [0.949 - 0.096849, -2.048 - 0.091152]);
    // buf = 0.9·0.5 + 0.5 = 0.95.
    expectClose(values(bias), [0.95 - 0.095, -2.05 - 0.095]);
    opt.dispose();
    tf.dispose([kernel, bias, g1, g2]);
  });

  it('AdamW decays decoupled from the gradient, from the pre-step weights', () => {
    const { kernel, bias } = variables();
    const opt = createOptimizer({ name: 'adamw', weightDecay: 0.1, epsilon: 1e-8 }, 0.1);
    const g2 = tf.tensor2d([[0.5, -0.25]]);
    const g1 = tf.tensor1d([0.5, -0.25]);
    opt.applyGradients([kernel, bias], [g2, g1]);
    // Step 1: m̂ = g, v̂ = g², so the Adam step is lr·sign(g) = ±0.1;
    // decay lr·wd·w = 0.01·[1, −2]. (Decaying the post-step w would give 0.891.)
    expectClose(values(kernel), [1 - 0.1 - 0.01, -2 + 0.1 + 0.02]);
    expectClose(values(bias), [0.9, -1.9]);
    opt.dispose();
    tf.dispose([kernel, bias, g1, g2]);
  });

  it('plain Adam matches the textbook update over two steps', () => {
    const { kernel } = variables();
    const opt = createOptimizer({ name: 'adam', epsilon: 1e-8 }, 0.1);
    const g = tf.tensor2d([[0.5, -0.25]]);
    const g2 = tf.tensor2d([[-0.5, 0.25]]);
    opt.applyGradients([kernel], [g]);
    opt.applyGradients([kernel], [g2]);
    // Step 2 for the first entry: m = 0.9·0.05 − 0.05 = −0.005, m̂ = −0.005/0.19;
    // v = 0.999·0.00025 + 0.00025 = 0.00049975, v̂ = v/(1 − 0.999²) = 0.25 → √ = 0.5.
    // Second entry: m = −0.0225 + 0.025 = 0.0025, √v̂ = 0.25 → the same step, opposite sign.
    const step2 = (0.1 * (-0.005 / 0.19)) / 0.5;
    expectClose(values(kernel), [0.9 - step2, -1.9 + step2]);
    opt.dispose();
    tf.dispose([kernel, g, g2]);
  });

  it('the learning rate is settable between steps', () => {
    for (const config of [{ name: 'sgd', momentum: 0 }, { name: 'adam' }] as const) {
      const { kernel } = variables();
      const opt = createOptimizer(config, 0.1);
      opt.setLearningRate(0.01);
      expect(opt.learningRate).toBe(0.01);
      const g = tf.tensor2d([[1, 1]]);
      opt.applyGradients([kernel], [g]);
      // Both give a step of 0.01·1 here (Adam: m̂/√v̂ = 1 for its first step).
      expectClose(values(kernel), [0.99, -2.01], 5);
      opt.dispose();
      tf.dispose([kernel, g]);
    }
  });

  it('rejects bad configs with the field name', () => {
    expect(() => createOptimizer({ name: 'sgd', momentum: 1.5 }, 0.1)).toThrow(/sgd.momentum/);
    expect(() => createOptimizer({ name: 'adamw', weightDecay: -1 }, 0.1)).toThrow(
      /adamw.weightDecay/,
    );
    expect(() => createOptimizer({ name: 'adam', beta2: 1 }, 0.1)).toThrow(/adam.beta2/);
  });

  it('frees its slots on dispose', () => {
    const { kernel, bias } = variables();
    const g2 = tf.tensor2d([[0.5, 0.5]]);
    const g1 = tf.tensor1d([0.5, 0.5]);
    const before = tf.memory().numTensors;
    for (const config of [{ name: 'sgd' }, { name: 'adamw', weightDecay: 0.1 }] as const) {
      const opt = createOptimizer(config, 0.1);
      opt.applyGradients([kernel, bias], [g2, g1]);
      opt.applyGradients([kernel, bias], [g2, g1]);
      opt.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([kernel, bias, g1, g2]);
  });
});
