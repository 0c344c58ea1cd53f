import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

/**
 * Calls the addon's conv2d with each geometry (B, IH, IW, CI, OH, OW, CO, FH, FW, sh, sw, dh, dw,
 * pt, pl) on a 4 KiB heap, every operand at offset 0 and no bias, in a child process: a crash
 * there fails the test instead of killing the test runner. One line per call: `ok` or the error.
 */
function conv2dInChild(geometries: number[][]): {
  status: number | null;
  signal: string | null;
  lines: string[];
} {
  const addonPath = fileURLToPath(
    new URL('../../../native/build/Release/kdlens_native.node', import.meta.url),
  );
  const script = `
    const addon = require(process.argv[1]);
    const heap = new ArrayBuffer(4096);
    for (const g of JSON.parse(process.argv[2])) {
      const params = new Float64Array([0, 0, -1, 0, ...g, 0]);
      try { addon.conv2d(heap, params); console.log('ok'); }
      catch (e) { console.log(e.message); }
    }`;
  const child = spawnSync(process.execPath, ['-e', script, addonPath, JSON.stringify(geometries)], {
    encoding: 'utf8',
  });
  return { status: child.status, signal: child.signal, lines: child.stdout.trim().split('\n') };
}

describe.skipIf(!status.available)('native kernels geometry checks', () => {
  it('refuse inconsistent or oversized geometries with an error naming the argument', () => {
    const result = conv2dInChild([
      // The reviewer's repro: a 0-wide x passes the operand bounds while the products wrap.
      [1, 2 ** 30, 0, 2, 1, 5, 1, 1, 4, 1, 2 ** 31 - 1, 1, 1, 0, 0],
      // 1 high and wide: OW's 5 windows at that stride span 4·(2^31 − 1) + 4 values.
      [1, 1, 1, 2, 1, 5, 1, 1, 4, 1, 2 ** 31 - 1, 1, 1, 0, 0],
      // A 3×3 'valid' conv of a 4×4 x has 2×2 outputs, not 9×2.
      [1, 4, 4, 1, 9, 2, 1, 3, 3, 1, 1, 1, 1, 0, 0],
      // A top pad the size of the filter.
      [1, 4, 4, 1, 4, 2, 1, 3, 3, 1, 1, 1, 1, 3, 0],
      // A dilation whose window spans more than 2^31 values.
      [1, 4, 4, 1, 2, 2, 1, 3, 3, 1, 1, 2 ** 31 - 1, 1, 0, 0],
      // Consistent: 'same' 3×3 over 4×4 (pads 1, 1) and 'valid' 3×3 stride 2 over 5×5 → 2×2.
      [1, 4, 4, 1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1],
      [1, 5, 5, 1, 2, 2, 1, 3, 3, 2, 2, 1, 1, 0, 0],
      // 'valid' 2×2 stride 2 over 5×5: the last column is dropped (implied right pad −1).
      [1, 5, 5, 1, 2, 2, 1, 2, 2, 2, 2, 1, 1, 0, 0],
    ]);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(result.lines).toEqual([
      'native kernels: IW must be >= 1 for a non-empty output',
      'native kernels: OW = 5 with stride 2147483647 spans more than 2^31 values',
      "native kernels: OH = 9 does not follow from IH = 4, pt = 0, the stride and the filter's extent 3",
      "native kernels: pt = 3 must be less than the filter's extent 3",
      'native kernels: FH with dilation dh spans more than 2^31 values',
      'ok',
      'ok',
      'ok',
    ]);
  });
});

describe('native kernels status', () => {
  it('names the kernels in use and, when absent, why', () => {
    if (status.available) expect(['native-avx2', 'native-avx512']).toContain(status.kernels);
    else expect(status.reason.length).toBeGreaterThan(0);
  });
});
