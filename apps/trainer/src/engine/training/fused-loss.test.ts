import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../random/rng.ts';
import { initBackend } from '../backend.ts';
import { crossEntropyLoss, kdLoss } from '../kd-loss.ts';
import { fusedTrainingLoss, lossAndGradient } from './fused-loss.ts';

function batch(seed: number, n: number, classes: number, spread: number) {
  const rng = createRng(seed);
  const logit = () => rng.uniform(-spread / 2, spread / 2);
  const student = Float32Array.from({ length: n * classes }, logit);
  const teacher = Float32Array.from({ length: n * classes }, logit);
  const oneHot = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) oneHot[i * classes + rng.int(classes)] = 1;
  return { student, teacher, oneHot };
}

/** Relative difference, measured against the larger of |a| and a floor for values near zero. */
function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), floor));
  }
  return worst;
}

describe('lossAndGradient (the training step’s fused loss)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('gives hand-computed values on a 2 × 3 batch', () => {
    // The cases of kd-loss.test.ts: cross entropy 2.0351 (row 0: 0.4170, row 1: 3.6532).
    const s = Float32Array.of(2, 1, 0.1, 0.5, 2.5, -1);
    const t = Float32Array.of(3, 0.5, -0.5, 0, 1.5, 1);
    const y = Float32Array.of(1, 0, 0, 0, 0, 1);
    const ce = lossAndGradient(s, y, 2);
    expect(ce.loss).toBeCloseTo(2.0351, 4);
    // Row 0 predicts class 0 (right), row 1 class 1 (wrong).
    expect(ce.correct).toBe(1);
    // ∂/∂s of the mean cross entropy: (softmax(s) − y) / n.
    const z0 = Math.exp(2) + Math.exp(1) + Math.exp(0.1);
    expect(ce.gradient[0]).toBeCloseTo((Math.exp(2) / z0 - 1) / 2, 7);
    expect(ce.gradient[1]).toBeCloseTo(Math.exp(1) / z0 / 2, 7);
    // Student equal to teacher at α = 1: no KL, no gradient.
    const same = lossAndGradient(t, y, 2, { temperature: 3, alpha: 1, teacherLogits: t });
    expect(same.loss).toBeCloseTo(0, 12);
    for (const g of same.gradient) expect(Math.abs(g)).toBeLessThan(1e-8);
  });

  it.each([
    [1, 0.5, 4],
    [2, 0.8, 8],
    [4, 0.8, 8],
    [10, 1, 20],
    [3, 0, 2],
  ])(
    'matches the tensor-op kdLoss and its autodiff gradient at T = %d, α = %d (logits ±%d)',
    (temperature, alpha, spread) => {
      const n = 64;
      const classes = 10;
      const { student, teacher, oneHot } = batch(temperature * 31 + alpha * 10, n, classes, spread);
      const kd = { temperature, alpha, teacherLogits: teacher };
      const fused = lossAndGradient(student, oneHot, n, kd);
      const t = tf.tensor2d(teacher, [n, classes]);
      const y = tf.tensor2d(oneHot, [n, classes]);
      const s = tf.tensor2d(student, [n, classes]);
      const reference = kdLoss(s, t, y, { temperature, alpha }).dataSync()[0] as number;
      const gradient = tf
        .grad((v: tf.Tensor) => kdLoss(v, t, y, { temperature, alpha }))(s)
        .dataSync();
      // The tensor ops round every step to float32; the fused pass works in double precision.
      expect(Math.abs(fused.loss - reference) / Math.abs(reference)).toBeLessThan(1e-5);
      expect(maxRelativeDifference(fused.gradient, gradient, 1e-4)).toBeLessThan(1e-4);
      tf.dispose([t, y, s]);
    },
  );

  it('takes any non-negative targets for cross entropy (label smoothing), as the tensor ops do', () => {
    const n = 16;
    const classes = 5;
    const { student } = batch(5, n, classes, 6);
    const rng = createRng(9);
    const targets = Float32Array.from({ length: n * classes }, () => rng.next());
    const fused = lossAndGradient(student, targets, n);
    const s = tf.tensor2d(student, [n, classes]);
    const y = tf.tensor2d(targets, [n, classes]);
    expect(fused.loss).toBeCloseTo(crossEntropyLoss(s, y).dataSync()[0] as number, 4);
    const gradient = tf
      .grad((v: tf.Tensor) => crossEntropyLoss(v, y))(s)
      .dataSync();
    expect(maxRelativeDifference(fused.gradient, gradient, 1e-4)).toBeLessThan(1e-4);
    tf.dispose([s, y]);
  });

  it('takes non-one-hot targets with distillation too (the target mass scales cross entropy)', () => {
    const n = 16;
    const classes = 5;
    const { student, teacher } = batch(21, n, classes, 6);
    const rng = createRng(23);
    const targets = Float32Array.from({ length: n * classes }, () => rng.next());
    const options = { temperature: 3, alpha: 0.6 };
    const fused = lossAndGradient(student, targets, n, { ...options, teacherLogits: teacher });
    const s = tf.tensor2d(student, [n, classes]);
    const t = tf.tensor2d(teacher, [n, classes]);
    const y = tf.tensor2d(targets, [n, classes]);
    const reference = kdLoss(s, t, y, options).dataSync()[0] as number;
    expect(Math.abs(fused.loss - reference) / Math.abs(reference)).toBeLessThan(1e-5);
    const gradient = tf
      .grad((v: tf.Tensor) => kdLoss(v, t, y, options))(s)
      .dataSync();
    expect(maxRelativeDifference(fused.gradient, gradient, 1e-4)).toBeLessThan(1e-4);
    tf.dispose([s, t, y]);
  });

  it('refuses distillation options kdLoss refuses', () => {
    const kd = (temperature: number, alpha: number) => ({
      temperature,
      alpha,
      teacherLogits: new Float32Array(4),
    });
    const x = new Float32Array(4);
    expect(() => lossAndGradient(x, x, 2, kd(0, 0.5))).toThrow(/temperature must be .*> 0/);
    expect(() => lossAndGradient(x, x, 2, kd(2, 1.5))).toThrow(/alpha must be in \[0, 1\]/);
  });

  it('counts correct rows as tf.argMax does, first index on ties', () => {
    // Row 0 ties classes 1 and 2 (argMax 1, target 1: right); row 1 ties 0 and 2 (argMax 0,
    // target 2: wrong); row 2 all equal (argMax 0, target 0: right).
    const s = Float32Array.of(0, 5, 5, 7, 1, 7, 3, 3, 3);
    const y = Float32Array.of(0, 1, 0, 0, 0, 1, 1, 0, 0);
    expect(lossAndGradient(s, y, 3).correct).toBe(2);
    const argMax = tf.argMax(tf.tensor2d(s, [3, 3]), -1).dataSync();
    expect(Array.from(argMax)).toEqual([1, 0, 0]);
  });

  it('stays finite where exp would overflow, as the shifted tensor ops do', () => {
    const s = Float32Array.of(1000, -1000, 0, 900);
    const y = Float32Array.of(0, 1, 1, 0);
    const r = lossAndGradient(s, y, 2, {
      temperature: 0.5,
      alpha: 0.5,
      teacherLogits: Float32Array.of(-800, 800, 50, -50),
    });
    expect(Number.isFinite(r.loss)).toBe(true);
    for (const g of r.gradient) expect(Number.isFinite(g)).toBe(true);
  });

  it('refuses rows that do not line up, naming the sizes', () => {
    expect(() => lossAndGradient(new Float32Array(6), new Float32Array(4), 2)).toThrow(
      /6 logits and 4 targets are not 2 equal rows/,
    );
    expect(() =>
      lossAndGradient(new Float32Array(6), new Float32Array(6), 2, {
        temperature: 2,
        alpha: 0.5,
        teacherLogits: new Float32Array(3),
      }),
    ).toThrow(/3 teacher logits for 6 student logits/);
  });
});

describe('fusedTrainingLoss (on the tape)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('gives variableGrads the tensor ops’ gradients through a dense layer, and leaks nothing', () => {
    const n = 32;
    const classes = 10;
    const { teacher, oneHot } = batch(3, n, classes, 8);
    const rng = createRng(11);
    const inputs = tf.tensor2d(
      Float32Array.from({ length: n * 6 }, () => rng.uniform(-0.5, 0.5)),
      [n, 6],
    );
    const w = tf.variable(
      tf.tensor2d(
        Float32Array.from({ length: 6 * classes }, () => rng.uniform(-0.5, 0.5)),
        [6, classes],
      ),
    );
    const options = { temperature: 4, alpha: 0.8 };
    const t = tf.tensor2d(teacher, [n, classes]);
    const y = tf.tensor2d(oneHot, [n, classes]);
    const before = tf.memory().numTensors;
    let correct = -1;
    const fused = tf.variableGrads(() => {
      const r = fusedTrainingLoss(tf.matMul(inputs, w), oneHot, {
        ...options,
        teacherLogits: teacher,
      });
      correct = r.correct;
      return r.loss;
    }, [w]);
    const reference = tf.variableGrads(() => kdLoss(tf.matMul(inputs, w), t, y, options), [w]);
    expect(fused.value.dataSync()[0]).toBeCloseTo(reference.value.dataSync()[0] as number, 5);
    const a = fused.grads[w.name]?.dataSync() ?? new Float32Array();
    const b = reference.grads[w.name]?.dataSync() ?? new Float32Array();
    expect(a.length).toBe(6 * classes);
    expect(maxRelativeDifference(a, b, 1e-4)).toBeLessThan(1e-4);
    const [predicted, labels] = tf.tidy(() => [
      tf.argMax(tf.matMul(inputs, w), -1).dataSync(),
      tf.argMax(y, -1).dataSync(),
    ]);
    expect(correct).toBe(predicted.filter((p, i) => p === labels[i]).length);
    tf.dispose([fused.value, reference.value, ...Object.values(fused.grads)]);
    tf.dispose(Object.values(reference.grads));
    // Left: nothing but what each variableGrads returned (disposed above).
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([inputs, w, t, y]);
  });

  it('refuses logits that are not [batch, classes]', () => {
    const x = tf.zeros([2, 3, 4]);
    expect(() => fusedTrainingLoss(x, new Float32Array(24))).toThrow(/\[batch, classes\]/);
    x.dispose();
  });
});
