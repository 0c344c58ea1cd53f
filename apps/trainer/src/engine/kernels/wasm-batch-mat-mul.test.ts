import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { computeOn, leakCounts, maxDiff, randomArray, size } from './backend-compare.testing.ts';
import { transposeInto } from './wasm-batch-mat-mul.ts';

describe('BatchMatMul on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('transposes a block by hand-checked indices', () => {
    const dst = new Float32Array(6);
    // Matrix [[1, 2, 3], [4, 5, 6]] stored after one leading element.
    transposeInto(Float32Array.of(9, 1, 2, 3, 4, 5, 6), 1, 2, 3, dst);
    expect(Array.from(dst)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
    // The backward products of a dense layer and of attention in the text models.
    { a: [256, 24], b: [256, 40], ta: true, tb: false },
    { a: [256, 24], b: [40, 24], ta: false, tb: true },
    { a: [1, 256, 24], b: [1, 40, 24], ta: false, tb: true },
    { a: [4, 3, 17, 8], b: [4, 3, 17, 8], ta: false, tb: true },
    { a: [4, 3, 17, 17], b: [4, 3, 17, 8], ta: true, tb: false },
    { a: [4, 3, 17, 17], b: [4, 3, 17, 8], ta: false, tb: false },
    // Odd sizes, both transposed, and one side a single matrix broadcast over the other.
    { a: [33, 7], b: [5, 33], ta: true, tb: true },
    { a: [5, 9, 7], b: [7, 3], ta: false, tb: false },
    { a: [1, 7, 9], b: [6, 11, 7], ta: true, tb: true },
    { a: [2, 1, 9, 7], b: [2, 7, 3], ta: false, tb: false },
  ];
  it.each(cases)('matches cpu (a $a, b $b, transposeA $ta, transposeB $tb)', async (c) => {
    const run = () =>
      tf.matMul(
        tf.tensor(randomArray(size(c.a), 1), c.a),
        tf.tensor(randomArray(size(c.b), 2), c.b),
        c.ta,
        c.tb,
      );
    const wasm = await computeOn('wasm', run);
    const cpu = await computeOn('cpu', run);
    expect(wasm.shape).toEqual(cpu.shape);
    const d = maxDiff(wasm.values, cpu.values);
    expect(d.maxAbs).toBeGreaterThan(0.5);
    expect(d.diff).toBeLessThan(1e-4);
  });

  it('frees its scratch matrices', () => {
    const run = () =>
      tf.tidy(() =>
        tf.add(
          tf.matMul(tf.ones([3, 5, 4]), tf.ones([3, 6, 4]), false, true).sum(),
          tf.matMul(tf.ones([5, 4]), tf.ones([5, 6]), true, false).sum(),
        ),
      );
    const { before, after } = leakCounts(run);
    expect(after).toEqual(before);
  });
});
