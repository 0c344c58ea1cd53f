import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import {
  installWasmKernelOverrides,
  uninstallWasmKernelOverrides,
} from '../register-wasm-kernels.ts';
import { computeOn, leakCounts, randomArray, size } from './backend-compare.testing.ts';

/** d/dx Σ(mean(x, axis) ⊙ r): tfjs' own gradient on cpu (and stock wasm), ours on wasm. */
function meanGradient(shape: number[], axis: number | number[] | undefined, keepDims = false) {
  return () => {
    const x = tf.tensor(randomArray(size(shape), 1), shape);
    const outShape = tf.mean(x, axis, keepDims).shape;
    const r = tf.tensor(randomArray(size(outShape), 2), outShape);
    return tf.grad((xv: tf.Tensor) => tf.sum(tf.mul(tf.mean(xv, axis, keepDims), r)))(x);
  };
}

describe('Mean gradient on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const cases: { shape: number[]; axis: number | number[] | undefined; keepDims?: boolean }[] = [
    // The reference CNN's global average pool (at batch 4).
    { shape: [4, 16, 16, 32], axis: [1, 2] },
    { shape: [4, 16, 16, 32], axis: [1, 2], keepDims: true },
    { shape: [3, 5, 7], axis: -1 },
    { shape: [3, 5, 7], axis: 0 },
    { shape: [3, 5, 7], axis: [0, 2] },
    { shape: [3, 5, 7], axis: undefined },
    { shape: [6], axis: 0 },
    // An empty reduced axis: the mean is NaN and the gradient has no elements.
    { shape: [2, 0, 3], axis: 1 },
    { shape: [2, 0, 3], axis: 2 },
  ];
  it.each(cases)(
    'is the stock gradient to the bit (x $shape, axis $axis, keepDims $keepDims)',
    async ({ shape, axis, keepDims }) => {
      const ours = await computeOn('wasm', meanGradient(shape, axis, keepDims));
      const cpu = await computeOn('cpu', meanGradient(shape, axis, keepDims));
      uninstallWasmKernelOverrides();
      try {
        const stock = await computeOn('wasm', meanGradient(shape, axis, keepDims));
        expect(ours.shape).toEqual(shape);
        expect(Array.from(ours.values)).toEqual(Array.from(stock.values));
        expect(Array.from(ours.values)).toEqual(Array.from(cpu.values));
      } finally {
        installWasmKernelOverrides();
      }
    },
  );

  it('takes one Tile instead of a full-size multiply and divide', async () => {
    const x = tf.ones([2, 4, 4, 8]);
    const info = await tf.profile(() => {
      tf.grad((xv: tf.Tensor) => tf.sum(tf.mean(xv, [1, 2])))(x).dispose();
    });
    // The kernels of the step that write a tensor of x's size, besides x's own Identity.
    const fullSize = info.kernels
      .filter((k) => k.name !== 'Identity' && String(k.outputShapes[0]) === String(x.shape))
      .map((k) => k.name);
    expect(fullSize).toEqual(['Tile']);
    x.dispose();
  });

  it('frees its intermediates', () => {
    const run = () => tf.tidy(() => meanGradient([2, 4, 4, 8], [1, 2])().sum());
    const { before, after } = leakCounts(run);
    expect(after).toEqual(before);
  });
});
