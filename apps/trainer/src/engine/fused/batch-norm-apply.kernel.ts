/** The normalisation of the fused training batch norm (batch-norm.kernel-names.ts). */

import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { epsilonOf, heapBackend, input, ptr, scratch, simdFor } from './batch-norm.heap.ts';
import { BN_APPLY } from './batch-norm.kernel-names.ts';

/** y = (x − μ)·γ/√(σ² + ε) + β, as one multiply-add per element. */
export function batchNormApply(
  x: Float32Array,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  epsilon: number,
  y: Float32Array,
): void {
  const channels = mean.length;
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const s = (gamma[c] as number) / Math.sqrt((variance[c] as number) + epsilon);
    scale[c] = s;
    shift[c] = (beta[c] as number) - (mean[c] as number) * s;
  }
  for (let p = 0; p < x.length; p += channels) {
    for (let c = 0; c < channels; c++) {
      y[p + c] = (x[p + c] as number) * (scale[c] as number) + (shift[c] as number);
    }
  }
}

const applyKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const be = heapBackend(backend, BN_APPLY);
  const [x, mean, variance, gamma, beta] = ['x', 'mean', 'variance', 'gamma', 'beta'].map((n) =>
    input(inputs, n, BN_APPLY),
  ) as [TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo];
  const epsilon = epsilonOf(attrs);
  const channels = mean.shape[0] ?? 1;
  const y = be.makeOutput([...x.shape], 'float32');
  const simd = simdFor(be, channels);
  const s = simd === undefined ? undefined : scratch(be, channels, 3);
  const view = (t: TensorInfo) => be.typedArrayFromHeap(t) as Float32Array;
  const [xv, mv, vv, gv, bv] = [x, mean, variance, gamma, beta].map(view) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  if (simd === undefined || s === undefined) {
    batchNormApply(xv, mv, vv, gv, bv, epsilon, view(y));
    return y;
  }
  for (let c = 0; c < channels; c++) {
    s.coef[c] = mv[c] as number;
    s.coef[channels + c] = (gv[c] as number) / Math.sqrt((vv[c] as number) + epsilon);
    s.coef[2 * channels + c] = bv[c] as number;
  }
  simd.affineCentered(ptr(be, x), s.coefPtr, ptr(be, y), xv.length / channels, 4 * channels);
  be.disposeData(s.info.dataId);
  return y;
};

export const batchNormApplyConfig: tf.KernelConfig = {
  kernelName: BN_APPLY,
  backendName: 'wasm',
  kernelFunc: applyKernel,
};
