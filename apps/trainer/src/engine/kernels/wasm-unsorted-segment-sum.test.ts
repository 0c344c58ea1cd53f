import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { computeOn, liveDataIds, maxDiff, randomArray, size } from './backend-compare.testing.ts';
import { unsortedSegmentSumInto } from './wasm-unsorted-segment-sum.ts';

describe('UnsortedSegmentSum on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('sums a hand-checked example, dropping ids outside [0, numSegments)', () => {
    const out = new Float32Array(3 * 2);
    // Rows 0 and 2 go to segment 0, row 1 to 2; rows with ids -1 and 3 are dropped.
    unsortedSegmentSumInto(
      Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
      Int32Array.of(0, 2, 0, -1, 3),
      2,
      out,
    );
    expect(Array.from(out)).toEqual([6, 8, 0, 0, 3, 4]);
  });

  const cases: { xShape: number[]; numSegments: number; maxId: number }[] = [
    // An embedding gradient, [batch·length, width] into a vocabulary (kept small: the cpu
    // kernel costs numSegments passes over x).
    { xShape: [512, 24], numSegments: 300, maxId: 299 },
    // Odd shapes, many repeats of few ids, and ids below 0 / at or above numSegments.
    { xShape: [37, 5], numSegments: 3, maxId: 5 },
    { xShape: [13, 3, 7], numSegments: 11, maxId: 14 },
    { xShape: [9], numSegments: 4, maxId: 4 },
  ];
  it.each(cases)(
    'matches cpu (x $xShape, $numSegments segments, ids in [-2, $maxId])',
    async (c) => {
      const n = c.xShape[0] ?? 0;
      const ids = Int32Array.from({ length: n }, (_, i) => ((i * 7919) % (c.maxId + 3)) - 2);
      const run = () =>
        tf.unsortedSegmentSum(
          tf.tensor(randomArray(size(c.xShape), 1), c.xShape),
          tf.tensor1d(ids, 'int32'),
          c.numSegments,
        );
      const wasm = await computeOn('wasm', run);
      const cpu = await computeOn('cpu', run);
      expect(wasm.shape).toEqual(cpu.shape);
      expect(wasm.dtype).toBe(cpu.dtype);
      const d = maxDiff(wasm.values, cpu.values);
      expect(d.maxAbs).toBeGreaterThan(0.5);
      expect(d.diff).toBeLessThan(1e-5);
    },
  );

  it('returns float32 for int32 x, as the cpu backend does', async () => {
    const run = () =>
      tf.unsortedSegmentSum(
        tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'),
        tf.tensor1d([1, 1, 0], 'int32'),
        2,
      );
    const wasm = await computeOn('wasm', run);
    expect(wasm).toEqual(await computeOn('cpu', run));
    expect(wasm).toEqual({ shape: [2, 2], dtype: 'float32', values: [5, 6, 4, 6] });
  });

  it('gives the embedding (GatherV2) gradient of cpu, including repeated ids', async () => {
    const ids = Int32Array.from({ length: 6 * 9 }, (_, i) => (i * 5) % 11);
    const run = () => {
      const table = tf.tensor2d(randomArray(11 * 8, 2), [11, 8]);
      const r = tf.tensor3d(randomArray(6 * 9 * 8, 3), [6, 9, 8]);
      const tokens = tf.tensor2d(ids, [6, 9], 'int32');
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tokens), r)))(table);
    };
    const wasm = await computeOn('wasm', run);
    const cpu = await computeOn('cpu', run);
    expect(wasm.shape).toEqual([11, 8]);
    expect(maxDiff(wasm.values, cpu.values).diff).toBeLessThan(1e-5);
  });

  it('handles empty inputs and zero segments, and frees everything', () => {
    const before = liveDataIds();
    const tensorsBefore = tf.memory().numTensors;
    const [empty, none] = tf.tidy(() => [
      tf.unsortedSegmentSum(tf.zeros([0, 3]), tf.tensor1d([], 'int32'), 2),
      // The cpu kernel throws here (it packs an empty list); an empty result is the sum.
      tf.unsortedSegmentSum(tf.ones([2, 3]), tf.tensor1d([0, 1], 'int32'), 0),
    ]);
    expect(empty?.shape).toEqual([2, 3]);
    expect(Array.from(empty?.dataSync() ?? [])).toEqual([0, 0, 0, 0, 0, 0]);
    expect(none?.shape).toEqual([0, 3]);
    tf.dispose([empty, none].filter((t) => t !== undefined));
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(liveDataIds()).toBe(before);
  });
});
