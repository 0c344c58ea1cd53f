import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../random/rng.ts';
import { initBackend } from '../backend.ts';
import { registerWasmKernels } from '../register-wasm-kernels.ts';
import { baseConvCases, type ConvCase } from './conv-cases.testing.ts';
import { setMaxColFloats } from './conv2d-backprop-filter-matmul.ts';
import { useWasmConv2DBackpropFilterImpl } from './wasm-conv2d-backprop-filter.ts';

function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

/** d/dW Σ (conv2d(x, W) ⊙ r): r makes dy non-uniform so every tap matters. */
async function filterGradOn(backend: 'wasm' | 'cpu', c: ConvCase): Promise<Float32Array> {
  await tf.setBackend(backend);
  const xSize = c.xShape.reduce((a, b) => a * b, 1);
  const wSize = c.filterShape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(xSize, 1), c.xShape);
    const w = tf.tensor4d(randomArray(wSize, 2), c.filterShape);
    const conv = (wv: tf.Tensor4D) => tf.conv2d(x, wv, c.stride, c.pad);
    const outShape = conv(w).shape;
    const r = tf.tensor(
      randomArray(
        outShape.reduce((a, b) => a * b, 1),
        3,
      ),
      outShape,
    );
    const grad = tf.grad((wv: tf.Tensor) => tf.sum(tf.mul(conv(wv as tf.Tensor4D), r)));
    return grad(w).dataSync() as Float32Array;
  });
}

const cases: ConvCase[] = baseConvCases();

// Batch 64 with up to 32 channels, checked against the cpu backend (whose
// naive kernels make full 32×32 layers take minutes, hence small images)...
const batch64Cases: ConvCase[] = [
  { pad: 'same', stride: 1, xShape: [64, 16, 16, 3], filterShape: [3, 3, 3, 16] },
  { pad: 'same', stride: 1, xShape: [64, 6, 6, 32], filterShape: [3, 3, 32, 32] },
  { pad: 'valid', stride: 2, xShape: [64, 9, 9, 16], filterShape: [3, 3, 16, 32] },
];
// ...and the reference CNN's real layer shapes, checked against the JS kernel
// (double accumulation; itself checked against cpu above).
const referenceCases: ConvCase[] = [
  { pad: 'same', stride: 1, xShape: [64, 32, 32, 3], filterShape: [3, 3, 3, 16] },
  { pad: 'same', stride: 1, xShape: [64, 32, 32, 16], filterShape: [3, 3, 16, 16] },
  { pad: 'same', stride: 1, xShape: [64, 16, 16, 32], filterShape: [3, 3, 32, 32] },
];

/** max |a − b| relative to max(1, max |b|): float32 sums over 65k terms. */
function relMaxDiff(a: Float32Array, b: Float32Array): { maxAbs: number; rel: number } {
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < b.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(b[i] ?? 0));
    maxDiff = Math.max(maxDiff, Math.abs((b[i] ?? 0) - (a[i] ?? 0)));
  }
  return { maxAbs, rel: maxDiff / Math.max(1, maxAbs) };
}

describe('wasm Conv2DBackpropFilter', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('is registered exactly once', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(registerWasmKernels()).toEqual([]);
  });

  it.each(cases)(
    'matches the cpu backend (pad $pad, stride $stride, x $xShape, w $filterShape)',
    async (c) => {
      const wasmGrad = await filterGradOn('wasm', c);
      const cpuGrad = await filterGradOn('cpu', c);
      await tf.setBackend('wasm');
      expect(wasmGrad.length).toBe(c.filterShape.reduce((a, b) => a * b, 1));
      let maxAbs = 0;
      let maxDiff = 0;
      for (let i = 0; i < cpuGrad.length; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(cpuGrad[i] ?? 0));
        maxDiff = Math.max(maxDiff, Math.abs((cpuGrad[i] ?? 0) - (wasmGrad[i] ?? 0)));
      }
      // Guard against a vacuous pass (e.g. both all-zero).
      expect(maxAbs).toBeGreaterThan(0.5);
      expect(maxDiff).toBeLessThan(1e-4);
    },
  );

  it.each(batch64Cases)(
    'batch 64 matches the cpu backend (pad $pad, stride $stride, x $xShape, w $filterShape)',
    async (c) => {
      const fast = await filterGradOn('wasm', c);
      const cpu = await filterGradOn('cpu', c);
      await tf.setBackend('wasm');
      expect(fast.length).toBe(c.filterShape.reduce((a, b) => a * b, 1));
      const d = relMaxDiff(fast, cpu);
      expect(d.maxAbs).toBeGreaterThan(0.5);
      expect(d.rel).toBeLessThan(1e-4);
    },
    30_000,
  );

  it.each(referenceCases)(
    'reference-CNN layer matches the JS kernel (x $xShape, w $filterShape)',
    async (c) => {
      const fast = await filterGradOn('wasm', c);
      const previous = useWasmConv2DBackpropFilterImpl('js');
      let js: Float32Array;
      try {
        js = await filterGradOn('wasm', c);
      } finally {
        useWasmConv2DBackpropFilterImpl(previous);
      }
      const d = relMaxDiff(fast, js);
      expect(d.maxAbs).toBeGreaterThan(0.5);
      expect(d.rel).toBeLessThan(1e-4);
    },
    30_000,
  );

  it.each([
    { pad: 'same', stride: 1, xShape: [7, 10, 9, 4], filterShape: [3, 3, 4, 5] },
    { pad: 'valid', stride: 2, xShape: [7, 11, 10, 3], filterShape: [3, 3, 3, 4] },
  ] as ConvCase[])('chunked over images matches cpu (pad $pad, stride $stride)', async (c) => {
    // 2 images per colᵀ buffer → 4 chunks, the last one partial.
    const previous = setMaxColFloats(2 * 27 * 4 * 10 * 11);
    let fast: Float32Array;
    try {
      fast = await filterGradOn('wasm', c);
    } finally {
      setMaxColFloats(previous);
    }
    const cpu = await filterGradOn('cpu', c);
    await tf.setBackend('wasm');
    const d = relMaxDiff(fast, cpu);
    expect(d.maxAbs).toBeGreaterThan(0.5);
    expect(d.rel).toBeLessThan(1e-5);
  });

  it('does not leak wasm memory over repeated calls', () => {
    const x = tf.randomUniform([8, 9, 9, 4]) as tf.Tensor4D;
    const run = () =>
      tf.tidy(() =>
        tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 1, 'same')))(
          tf.ones([3, 3, 4, 6]),
        ),
      );
    run().dispose();
    const before = tf.memory();
    for (let i = 0; i < 5; i++) run().dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    x.dispose();
  });

  it('does not leak tensors', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.ones([1, 5, 5, 2]);
      tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')))(
        tf.ones([3, 3, 2, 2]),
      );
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
