import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../random/rng.ts';
import { initBackend } from '../backend.ts';
import type { ConvCase } from './conv-cases.testing.ts';
import { takesConvForm } from './conv2d-backprop-filter-conv.ts';
import { setHeapSimd } from './wasm-heap-module.ts';

function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** d/dW Σ (conv2d(x, W) ⊙ r) — runs Conv2DBackpropFilter. */
async function filterGradOn(backend: 'wasm' | 'cpu', c: ConvCase): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(size(c.xShape), 1), c.xShape);
    const w = tf.tensor4d(randomArray(size(c.filterShape), 2), c.filterShape);
    const outShape = tf.conv2d(x, w, c.stride, c.pad).shape;
    const r = tf.tensor(randomArray(size(outShape), 3), outShape);
    const grad = tf.grad((wv: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(x, wv as tf.Tensor4D, c.stride, c.pad), r)),
    );
    return grad(w).dataSync() as Float32Array;
  });
}

function convInfo(c: ConvCase): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.stride, 1, c.pad);
}

const cases: ConvCase[] = [
  // SIMD relayouts (batch and channels multiples of 4).
  { pad: 'same', stride: 1, xShape: [8, 6, 6, 8], filterShape: [3, 3, 8, 12] },
  // Odd batch, 3 input channels, 6 output channels: the TypeScript relayouts.
  { pad: 'same', stride: 1, xShape: [5, 7, 7, 3], filterShape: [3, 3, 3, 6] },
  // 'valid' (no padding, dy smaller than x) and a 5×5 filter.
  { pad: 'valid', stride: 1, xShape: [4, 9, 9, 4], filterShape: [3, 3, 4, 8] },
  { pad: 'same', stride: 1, xShape: [4, 8, 8, 4], filterShape: [5, 5, 4, 4] },
  // The reference CNN's third layer (at batch 16: the cpu reference is slow).
  { pad: 'same', stride: 1, xShape: [16, 16, 16, 16], filterShape: [3, 3, 16, 32] },
];

describe('Conv2DBackpropFilter as one XNNPACK convolution', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterEach(async () => {
    setHeapSimd(true);
    await tf.setBackend('wasm');
  });

  it('takes square stride-1 layers and leaves the rest to im2col', () => {
    for (const c of cases) expect(takesConvForm(convInfo(c))).toBe(true);
    const im2col: ConvCase[] = [
      { pad: 'same', stride: 2, xShape: [2, 8, 8, 3], filterShape: [3, 3, 3, 4] },
      { pad: 'same', stride: 1, xShape: [2, 6, 7, 2], filterShape: [3, 2, 2, 3] },
    ];
    for (const c of im2col) expect(takesConvForm(convInfo(c))).toBe(false);
  });

  it.each(cases)('matches the cpu backend (pad $pad, x $xShape, w $filterShape)', async (c) => {
    const wasm = await filterGradOn('wasm', c);
    const cpu = await filterGradOn('cpu', c);
    let maxAbs = 0;
    let diff = 0;
    for (let i = 0; i < cpu.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(cpu[i] ?? 0));
      diff = Math.max(diff, Math.abs((cpu[i] ?? 0) - (wasm[i] ?? 0)));
    }
    expect(wasm.length).toBe(size(c.filterShape));
    expect(maxAbs).toBeGreaterThan(0.5);
    expect(diff / maxAbs).toBeLessThan(1e-5);
  });

  it('matches with the TypeScript relayouts instead of SIMD', async () => {
    const c = cases[0] as ConvCase;
    setHeapSimd(false);
    const ts = await filterGradOn('wasm', c);
    setHeapSimd(true);
    const simd = await filterGradOn('wasm', c);
    expect(Array.from(ts)).toEqual(Array.from(simd));
  });
});
