import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { computeOn, randomArray } from './backend-compare.testing.ts';
import { setNativeConvKernels } from './native-addon.ts';

/** d/dx Σ relu(x)·r: r is dy, with negative values (so −0 products) and x with NaN, 0, −0. */
function reluGrad(): tf.Tensor {
  const values = randomArray(4 * 6 * 6 * 8, 1);
  values.set([0, -0, Number.NaN, 1e-30, -1e-30], 0);
  const x = tf.tensor4d(values, [4, 6, 6, 8]);
  const r = tf.tensor4d(randomArray(4 * 6 * 6 * 8, 2), [4, 6, 6, 8]);
  return tf.grad((xv: tf.Tensor) => tf.sum(tf.mul(tf.relu(xv), r)))(x);
}

const bits = (values: number[]) => new Uint32Array(Float32Array.from(values).buffer);

describe('Relu and its gradient on wasm (KDLensReluGrad)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('is bit-identical to the cpu backend, native or not', async () => {
    const cpu = await computeOn('cpu', reluGrad);
    const native = await computeOn('wasm', reluGrad);
    const previous = setNativeConvKernels(false);
    let loop: Awaited<ReturnType<typeof computeOn>>;
    try {
      loop = await computeOn('wasm', reluGrad);
    } finally {
      setNativeConvKernels(previous);
    }
    // NaN where x is NaN; 0 and −0 (dy < 0) where x ≤ 0; dy where x > 0.
    expect(Number.isNaN(cpu.values[2])).toBe(true);
    expect(cpu.values.some((v) => Object.is(v, -0))).toBe(true);
    expect(bits(native.values)).toEqual(bits(cpu.values));
    expect(bits(loop.values)).toEqual(bits(cpu.values));
  });

  it('Relu itself is bit-identical to the wasm package kernel and equals cpu', async () => {
    const relu = () => {
      const values = randomArray(4 * 6 * 6 * 8, 1);
      values.set([0, -0, Number.NaN, 1e-30, -1e-30], 0);
      return tf.relu(tf.tensor4d(values, [4, 6, 6, 8]));
    };
    const native = await computeOn('wasm', relu);
    const previous = setNativeConvKernels(false);
    let packaged: Awaited<ReturnType<typeof computeOn>>;
    try {
      packaged = await computeOn('wasm', relu);
    } finally {
      setNativeConvKernels(previous);
    }
    expect(bits(native.values)).toEqual(bits(packaged.values));
    // −0 becomes 0 in both; cpu's NaN differs from the package's only in its sign bit.
    expect(Object.is(native.values[1], 0)).toBe(true);
    const cpu = await computeOn('cpu', relu);
    expect(native.values.slice(3)).toEqual(cpu.values.slice(3));
  });

  it('runs as one kernel instead of Step, Cast and Multiply', async () => {
    const x = tf.randomUniform([2, 3, 3, 4], -1, 1);
    const info = await tf.profile(() => tf.grad((xv: tf.Tensor) => tf.sum(tf.relu(xv)))(x));
    x.dispose();
    expect(info.kernelNames).toContain('KDLensReluGrad');
    expect(info.kernelNames).not.toContain('Step');
  });
});
