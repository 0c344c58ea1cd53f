import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { computeOn, leakCounts, maxDiff, randomArray, size } from './backend-compare.testing.ts';
import { tileGradView } from './tile-grad.ts';

/** d/dx Σ(tile(x, reps) ⊙ r): on cpu tfjs' own slice-and-add gradient, on wasm ours. */
function tileGradient(shape: number[], reps: number[]): () => tf.Tensor {
  return () => {
    const x = tf.tensor(randomArray(size(shape), 1), shape);
    const outShape = shape.map((d, i) => d * (reps[i] as number));
    const r = tf.tensor(randomArray(size(outShape), 2), outShape);
    return tf.grad((xv: tf.Tensor) => tf.sum(tf.mul(tf.tile(xv, reps), r)))(x);
  };
}

describe('Tile gradient on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('views dy as [reps, n] pairs without size-1 axes, neighbours merged', () => {
    // LayerNormalization's γ: [1, 1, D] tiled to [B, L, D] is a leading-axes sum.
    expect(tileGradView([1, 1, 16], [32, 64, 1])).toEqual({ dims: [2048, 16], axes: [0] });
    // Its moments: [B, L, 1] tiled to [B, L, D] is an innermost sum.
    expect(tileGradView([32, 64, 1], [1, 1, 16])).toEqual({ dims: [2048, 16], axes: [1] });
    expect(tileGradView([2, 3], [4, 5])).toEqual({ dims: [4, 2, 5, 3], axes: [0, 2] });
    expect(tileGradView([2, 3], [1, 1])).toEqual({ dims: [6], axes: [] });
  });

  const cases: { shape: number[]; reps: number[] }[] = [
    { shape: [1, 1, 16], reps: [32, 64, 1] },
    { shape: [32, 64, 1], reps: [1, 1, 16] },
    { shape: [3], reps: [5] },
    { shape: [2, 3], reps: [4, 5] },
    { shape: [3, 1, 2], reps: [2, 7, 3] },
    { shape: [2, 3, 1, 5], reps: [1, 2, 3, 1] },
    { shape: [4, 5], reps: [1, 1] },
  ];
  it.each(cases)('matches cpu (x $shape, reps $reps)', async ({ shape, reps }) => {
    const wasm = await computeOn('wasm', tileGradient(shape, reps));
    const cpu = await computeOn('cpu', tileGradient(shape, reps));
    expect(wasm.shape).toEqual(shape);
    const d = maxDiff(wasm.values, cpu.values);
    expect(d.maxAbs).toBeGreaterThan(0.1);
    expect(d.diff).toBeLessThan(1e-4);
  });

  it('handles rank 5, which tfjs’ own gradient does not (checked by hand)', () => {
    const g = tf.tidy(() =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.tile(x, [2, 1, 3, 1, 1])))(tf.ones([1, 1, 2, 1, 2])),
    );
    // Every element of x appears 2·3 times in the tiled tensor, each with weight 1.
    expect(Array.from(g.dataSync())).toEqual([6, 6, 6, 6]);
    g.dispose();
  });

  it('frees its intermediates', () => {
    const run = () => tf.tidy(() => tileGradient([1, 1, 8], [4, 6, 1])().sum());
    const { before, after } = leakCounts(run);
    expect(after).toEqual(before);
  });
});
