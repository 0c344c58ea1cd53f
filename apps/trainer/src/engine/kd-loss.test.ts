import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { crossEntropyLoss, kdLoss } from './kd-loss.ts';

// Independent plain-JS reference.
function softmax(row: number[], t: number): number[] {
  const scaled = row.map((v) => v / t);
  const m = Math.max(...scaled);
  const e = scaled.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

const student = [
  [2.0, 1.0, 0.1],
  [0.5, 2.5, -1.0],
];
const teacher = [
  [3.0, 0.5, -0.5],
  [0.0, 1.5, 1.0],
];
const labels = [0, 2];
const oneHot = labels.map((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0)));

function expectedCe(): number {
  let sum = 0;
  student.forEach((row, i) => {
    const p = softmax(row, 1);
    sum += -Math.log(p[labels[i] ?? 0] ?? 1);
  });
  return sum / student.length;
}

function expectedKd(t: number, alpha: number): number {
  let kl = 0;
  student.forEach((row, i) => {
    const ps = softmax(row, t);
    const pt = softmax(teacher[i] ?? [], t);
    pt.forEach((p, c) => {
      kl += p * Math.log(p / (ps[c] ?? 1));
    });
  });
  kl /= student.length;
  return alpha * t * t * kl + (1 - alpha) * expectedCe();
}

describe('kdLoss', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const s = () => tf.tensor2d(student);
  const t = () => tf.tensor2d(teacher);
  const y = () => tf.tensor2d(oneHot);

  it('cross entropy matches hand math', () => {
    // Hand value: row0 −log(e²/(e²+e+e^0.1)) ≈ 0.4170, row1 −log(e^−1/(e^0.5+e^2.5+e^−1)) ≈ 3.6532, mean ≈ 2.0351
    const ce = crossEntropyLoss(s(), y()).dataSync()[0];
    expect(expectedCe()).toBeCloseTo(2.0351, 4);
    expect(ce).toBeCloseTo(expectedCe(), 5);
  });

  it.each([
    [1, 0.5],
    [2, 0.8],
    [4, 1],
    [3, 0],
  ])('matches hand math for T=%d, alpha=%d', (temperature, alpha) => {
    const v = kdLoss(s(), t(), y(), { temperature, alpha }).dataSync()[0];
    expect(v).toBeCloseTo(expectedKd(temperature, alpha), 5);
  });

  it('defaults alpha to 0.8 and is zero-KL when student equals teacher', () => {
    expect(kdLoss(s(), t(), y(), { temperature: 2 }).dataSync()[0]).toBeCloseTo(
      expectedKd(2, 0.8),
      5,
    );
    const same = kdLoss(t(), t(), y(), { temperature: 3, alpha: 1 }).dataSync()[0];
    expect(same).toBeCloseTo(0, 6);
  });

  it('rejects bad options with clear errors', () => {
    expect(() => kdLoss(s(), t(), y(), { temperature: 0 })).toThrow(/temperature must be .*> 0/);
    expect(() => kdLoss(s(), t(), y(), { temperature: Number.NaN })).toThrow(/temperature/);
    expect(() => kdLoss(s(), t(), y(), { temperature: 2, alpha: 1.5 })).toThrow(
      /alpha must be in \[0, 1\]/,
    );
    expect(() => kdLoss(s(), tf.zeros([2, 4]), y(), { temperature: 2 })).toThrow(/equal shape/);
  });

  it('does not leak tensors', () => {
    const a = s();
    const b = t();
    const c = y();
    const before = tf.memory().numTensors;
    const loss = kdLoss(a, b, c, { temperature: 2 });
    expect(tf.memory().numTensors).toBe(before + 1);
    loss.dispose();
    tf.dispose([a, b, c]);
  });
});
