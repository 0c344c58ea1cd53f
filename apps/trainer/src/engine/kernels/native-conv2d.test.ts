import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { computeOn, maxDiff, randomArray, size } from './backend-compare.testing.ts';
import { baseConvCases, type ConvCase } from './conv-cases.testing.ts';
import {
  type NativeIsa,
  nativeKernelsStatus,
  setNativeConvKernels,
  useNativeIsa,
} from './native-addon.ts';

const status = nativeKernelsStatus();
const best: NativeIsa | undefined = status.available
  ? status.kernels === 'native-avx512'
    ? 'avx512'
    : 'avx2'
  : undefined;
/** Every instruction set this CPU runs (AVX2 always, where there is AVX-512). */
const isas: NativeIsa[] = best === 'avx512' ? ['avx512', 'avx2'] : best === 'avx2' ? ['avx2'] : [];

/** The forward conv, its input and filter gradients, and a fused conv + bias + relu. */
function convOutputs(c: ConvCase): tf.Tensor {
  const x = tf.tensor4d(randomArray(size(c.xShape), 1), c.xShape);
  const w = tf.tensor4d(randomArray(size(c.filterShape), 2), c.filterShape);
  const bias = tf.tensor1d(randomArray(c.filterShape[3], 4));
  const y = tf.conv2d(x, w, c.stride, c.pad);
  // r makes dy non-uniform so every tap matters.
  const r = tf.tensor(randomArray(size(y.shape), 3), y.shape);
  const loss = (xv: tf.Tensor, wv: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, c.stride, c.pad), r));
  const [dx, dw] = tf.grads(loss)([x, w]);
  if (dx === undefined || dw === undefined) throw new Error('no gradients');
  const fused = tf.fused.conv2d({
    x,
    filter: w,
    strides: c.stride,
    pad: c.pad,
    bias,
    activation: 'relu',
  });
  return tf.concat([y.flatten(), dx.flatten(), dw.flatten(), fused.flatten()]);
}

const cases: ConvCase[] = [
  ...baseConvCases(),
  // The reference CNN's and LeNet-5's layers, at batch 4 (the cpu backend is slow).
  { pad: 'same', stride: 1, xShape: [4, 32, 32, 3], filterShape: [3, 3, 3, 16] },
  { pad: 'same', stride: 1, xShape: [4, 16, 16, 16], filterShape: [3, 3, 16, 32] },
  { pad: 'same', stride: 1, xShape: [4, 8, 8, 32], filterShape: [3, 3, 32, 32] },
  { pad: 'valid', stride: 1, xShape: [4, 32, 32, 3], filterShape: [5, 5, 3, 6] },
  { pad: 'valid', stride: 1, xShape: [4, 14, 14, 6], filterShape: [5, 5, 6, 16] },
  // Channel counts off the 8/16 panels, and a batch whose pixels are not a multiple of 6.
  { pad: 'same', stride: 2, xShape: [3, 7, 5, 19], filterShape: [3, 3, 19, 21] },
];

describe.skipIf(!status.available)('native convolution kernels (AVX2 + FMA)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it.each(cases)(
    'match the cpu backend (pad $pad, stride $stride, x $xShape, w $filterShape)',
    async (c) => {
      const cpu = await computeOn('cpu', () => convOutputs(c));
      for (const isa of isas) {
        expect(useNativeIsa(isa)).toBe(isa);
        try {
          const native = await computeOn('wasm', () => convOutputs(c));
          const d = maxDiff(native.values, cpu.values);
          // Guard against a vacuous pass (e.g. both all-zero).
          expect(d.maxAbs).toBeGreaterThan(0.5);
          expect(d.diff / Math.max(1, d.maxAbs), isa).toBeLessThan(1e-5);
        } finally {
          if (best !== undefined) useNativeIsa(best);
        }
      }
    },
    30_000,
  );

  it('agree with the wasm kernels at batch 64 on a reference-CNN layer', async () => {
    const c: ConvCase = {
      pad: 'same',
      stride: 1,
      xShape: [64, 32, 32, 16],
      filterShape: [3, 3, 16, 16],
    };
    const native = await computeOn('wasm', () => convOutputs(c));
    const previous = setNativeConvKernels(false);
    let wasm: Awaited<ReturnType<typeof computeOn>>;
    try {
      wasm = await computeOn('wasm', () => convOutputs(c));
    } finally {
      setNativeConvKernels(previous);
    }
    const d = maxDiff(native.values, wasm.values);
    expect(d.maxAbs).toBeGreaterThan(0.5);
    // The filter gradient sums 65,536 products per weight in float32 in both.
    expect(d.diff / Math.max(1, d.maxAbs)).toBeLessThan(1e-4);
  });

  it('are bit-identical from call to call', async () => {
    const c: ConvCase = {
      pad: 'same',
      stride: 1,
      xShape: [8, 12, 12, 16],
      filterShape: [3, 3, 16, 8],
    };
    const a = await computeOn('wasm', () => convOutputs(c));
    const b = await computeOn('wasm', () => convOutputs(c));
    expect(Float32Array.from(b.values)).toEqual(Float32Array.from(a.values));
  });

  it('leak neither tensors nor heap', () => {
    const x = tf.randomUniform([4, 9, 9, 4]) as tf.Tensor4D;
    const run = () =>
      tf.tidy(() =>
        tf.grads((xv: tf.Tensor, w: tf.Tensor) =>
          tf.sum(tf.conv2d(xv as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')),
        )([x, tf.ones([3, 3, 4, 6])]),
      );
    tf.dispose(run());
    const before = tf.memory();
    for (let i = 0; i < 5; i++) tf.dispose(run());
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    x.dispose();
  });
});

describe('native kernels status', () => {
  it('names the kernels in use and, when absent, why', () => {
    if (status.available) expect(['native-avx2', 'native-avx512']).toContain(status.kernels);
    else expect(status.reason.length).toBeGreaterThan(0);
  });
});
