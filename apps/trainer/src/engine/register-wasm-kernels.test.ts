import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../random/rng.ts';
import { initBackend } from './backend.ts';
import { baseConvCases, type ConvCase } from './kernels/conv-cases.testing.ts';
import { nativeConvAddon, setNativeConvKernels } from './kernels/native-addon.ts';
import { tileInto } from './kernels/wasm-tile.ts';
import { installWasmKernelOverrides } from './register-wasm-kernels.ts';

function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): { maxAbs: number; diff: number } {
  let maxAbs = 0;
  let diff = 0;
  for (let i = 0; i < b.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(b[i] ?? 0));
    diff = Math.max(diff, Math.abs((b[i] ?? 0) - (a[i] ?? 0)));
  }
  return { maxAbs, diff };
}

/** d/dx Σ (conv2d(x, W) ⊙ r) — runs Conv2DBackpropInput. */
async function inputGradOn(backend: 'wasm' | 'cpu', c: ConvCase): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(size(c.xShape), 1), c.xShape);
    const w = tf.tensor4d(randomArray(size(c.filterShape), 2), c.filterShape);
    const outShape = tf.conv2d(x, w, c.stride, c.pad).shape;
    const r = tf.tensor(randomArray(size(outShape), 3), outShape);
    const grad = tf.grad((xv: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(xv as tf.Tensor4D, w, c.stride, c.pad), r)),
    );
    return grad(x).dataSync() as Float32Array;
  });
}

const convCases: ConvCase[] = baseConvCases();
convCases.push({ pad: 'same', stride: 1, xShape: [64, 8, 8, 32], filterShape: [3, 3, 32, 32] });
convCases.push({ pad: 'same', stride: 1, xShape: [64, 12, 12, 16], filterShape: [3, 3, 16, 16] });

describe('wasm kernel overrides', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('are installed once', () => {
    expect(installWasmKernelOverrides()).toEqual([]);
  });

  it.each(convCases)(
    'Conv2DBackpropInput matches cpu (pad $pad, stride $stride, x $xShape, w $filterShape)',
    async (c) => {
      const wasm = await inputGradOn('wasm', c);
      const cpu = await inputGradOn('cpu', c);
      await tf.setBackend('wasm');
      expect(wasm.length).toBe(size(c.xShape));
      const d = maxDiff(wasm, cpu);
      expect(d.maxAbs).toBeGreaterThan(0.5);
      expect(d.diff).toBeLessThan(1e-4);
    },
    30_000,
  );

  const tileCases: { shape: number[]; reps: number[]; dtype: 'float32' | 'int32' | 'bool' }[] = [
    { shape: [1, 1, 1, 16], reps: [64, 32, 32, 1], dtype: 'float32' },
    { shape: [2, 3], reps: [2, 2], dtype: 'float32' },
    { shape: [3, 1, 2], reps: [1, 4, 3], dtype: 'int32' },
    { shape: [2, 2, 1], reps: [3, 1, 5], dtype: 'bool' },
    { shape: [5], reps: [7], dtype: 'float32' },
    { shape: [2, 0, 3], reps: [2, 2, 2], dtype: 'float32' },
    { shape: [4, 3], reps: [1, 1], dtype: 'int32' },
  ];
  it.each(tileCases)('Tile matches cpu ($dtype $shape × $reps)', async ({ shape, reps, dtype }) => {
    const values = Array.from({ length: size(shape) }, (_, i) =>
      dtype === 'bool' ? i % 2 : i * 3 - 5,
    );
    const run = async (backend: 'wasm' | 'cpu') => {
      await tf.setBackend(backend);
      return tf.tidy(() => Array.from(tf.tile(tf.tensor(values, shape, dtype), reps).dataSync()));
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    await tf.setBackend('wasm');
    expect(wasm).toEqual(cpu);
  });

  const poolCases: {
    xShape: [number, number, number, number];
    size: number | [number, number];
    stride: number | [number, number];
    pad: 'same' | 'valid';
  }[] = [
    { xShape: [64, 16, 16, 16], size: 2, stride: 2, pad: 'valid' },
    { xShape: [2, 9, 7, 3], size: 3, stride: 2, pad: 'same' },
    { xShape: [2, 6, 6, 2], size: 3, stride: 1, pad: 'same' },
    { xShape: [3, 7, 7, 4], size: 2, stride: 2, pad: 'valid' },
    // Windows that tile the input: 2×2 with channels not a multiple of 4, 1×4 and 4×1 (four
    // elements, as 2×2, in other places), 3×3 covering all of x or not, the tiled pass's largest
    // window (4×4); and one larger (5×5), which the general loop takes.
    { xShape: [2, 6, 6, 70], size: 2, stride: 2, pad: 'valid' },
    { xShape: [2, 4, 8, 5], size: [1, 4], stride: [1, 4], pad: 'valid' },
    { xShape: [2, 8, 4, 5], size: [4, 1], stride: [4, 1], pad: 'valid' },
    { xShape: [2, 9, 9, 5], size: 3, stride: 3, pad: 'valid' },
    { xShape: [2, 10, 10, 3], size: 3, stride: 3, pad: 'valid' },
    { xShape: [2, 8, 8, 3], size: 4, stride: 4, pad: 'valid' },
    { xShape: [1, 10, 10, 2], size: 5, stride: 5, pad: 'valid' },
  ];
  it.each(poolCases)(
    'MaxPoolGrad matches cpu (x $xShape, size $size, stride $stride, $pad)',
    async (c) => {
      const run = async (backend: 'wasm' | 'cpu', native = true) => {
        await tf.setBackend(backend);
        const previous = setNativeConvKernels(native);
        try {
          return tf.tidy(() => {
            // Quantised values create ties: the first maximum must win, as on cpu.
            const x = tf.tensor4d(
              randomArray(size(c.xShape), 4).map((v) => Math.round(v * 4)),
              c.xShape,
            );
            const outShape = tf.maxPool(x, c.size, c.stride, c.pad).shape;
            const r = tf.tensor(randomArray(size(outShape), 5), outShape);
            const g = tf.grad((xv: tf.Tensor) =>
              tf.sum(tf.mul(tf.maxPool(xv as tf.Tensor4D, c.size, c.stride, c.pad), r)),
            );
            return g(x).dataSync() as Float32Array;
          });
        } finally {
          setNativeConvKernels(previous);
        }
      };
      const cpu = await run('cpu');
      // The C++ kernel where the addon is built, and the JS loop it falls back to.
      const paths = nativeConvAddon() === undefined ? [false] : [true, false];
      for (const native of paths) {
        const wasm = await run('wasm', native);
        const d = maxDiff(wasm, cpu);
        expect(d.maxAbs).toBeGreaterThan(0.5);
        expect(d.diff).toBeLessThan(1e-5);
      }
      await tf.setBackend('wasm');
    },
  );

  const reduceCases: { shape: number[]; axis: number[] | number | undefined; keepDims: boolean }[] =
    [
      { shape: [64, 32, 32, 16], axis: [0, 1, 2], keepDims: false },
      { shape: [5, 3, 4, 7], axis: [2, 0, 1], keepDims: true },
      { shape: [5, 3, 4], axis: 0, keepDims: false },
      { shape: [5, 3, 4], axis: [-3, -2], keepDims: false },
      { shape: [6, 4, 4, 3], axis: [1, 2], keepDims: false },
      // Middle axes: global average pooling's [1, 2], one axis, negative ones, rows not a
      // multiple of 8; and axes that are not contiguous, which the original kernel takes.
      { shape: [64, 8, 8, 24], axis: [1, 2], keepDims: false },
      { shape: [2, 3, 4, 5], axis: [1, 2], keepDims: true },
      { shape: [2, 3, 4, 5], axis: 1, keepDims: false },
      { shape: [2, 3, 9, 4], axis: [-3, -2], keepDims: false },
      { shape: [2, 3, 4, 5], axis: [0, 2], keepDims: false },
      { shape: [6, 5], axis: undefined, keepDims: false },
      { shape: [6, 5], axis: 1, keepDims: true },
    ];
  it.each(reduceCases)(
    'Sum and Mean match cpu (shape $shape, axis $axis, keepDims $keepDims)',
    async (c) => {
      const run = async (backend: 'wasm' | 'cpu') => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor(randomArray(size(c.shape), 6), c.shape);
          const s = tf.sum(x, c.axis, c.keepDims);
          const m = tf.mean(x, c.axis, c.keepDims);
          return {
            sum: s.dataSync() as Float32Array,
            mean: m.dataSync() as Float32Array,
            shape: s.shape,
          };
        });
      };
      const wasm = await run('wasm');
      const cpu = await run('cpu');
      await tf.setBackend('wasm');
      expect(wasm.shape).toEqual(cpu.shape);
      expect(maxDiff(wasm.sum, cpu.sum).diff).toBeLessThan(1e-3);
      expect(maxDiff(wasm.mean, cpu.mean).diff).toBeLessThan(1e-6);
    },
  );

  it('Sum and Mean reject an axis x lacks, as the original kernels do, and one named twice', () => {
    const x = tf.ones([2, 3, 4, 5]);
    expect(() => tf.sum(x, -5)).toThrow();
    expect(() => tf.mean(x, [-5, -4])).toThrow();
    expect(() => tf.sum(x, [1, 1, 2])).toThrow(/names an axis twice/);
    expect(() => tf.mean(x, [0, 0])).toThrow(/names an axis twice/);
    x.dispose();
  });

  it('Identity shares the buffer but disposes independently', () => {
    const x = tf.tensor([1, 2, 3]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
  });

  it('Cast to the same dtype shares the buffer too; to another dtype it converts', () => {
    const x = tf.tensor([1.5, -2, 3]);
    const same = tf.cast(x, 'float32');
    const ints = tf.cast(x, 'int32');
    expect(same.dataId).toBe(x.dataId);
    expect(ints.dataId).not.toBe(x.dataId);
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2, 3]);
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 3]);
    expect(ints.dtype).toBe('int32');
    tf.dispose([same, ints]);
  });

  it('tileInto handles a single element', () => {
    const out = new Float32Array(6);
    tileInto(Float32Array.of(2), [1, 1], [2, 3], out);
    expect(Array.from(out)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('do not leak wasm memory', () => {
    const x = tf.randomUniform([4, 9, 9, 3]) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 3, 5]) as tf.Tensor4D;
    const run = () =>
      tf.tidy(() => {
        const gx = tf.grad((xv: tf.Tensor) => tf.sum(tf.conv2d(xv as tf.Tensor4D, w, 2, 'same')))(
          x,
        );
        return tf.add(gx, tf.sum(tf.tile(tf.ones([1, 1, 1, 3]), [4, 9, 9, 1])));
      });
    run().dispose();
    const before = tf.memory();
    for (let i = 0; i < 3; i++) run().dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    tf.dispose([x, w]);
  });
});
