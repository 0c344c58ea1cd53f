/** The backward pass (dx, dγ, dβ) of the fused training batch norm (batch-norm.kernel-names.ts). */

import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { accAt, epsilonOf, heapBackend, input, ptr, scratch, simdFor } from './batch-norm.heap.ts';
import { BN_GRAD } from './batch-norm.kernel-names.ts';

/**
 * Backward of y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε) and μ, σ² the batch statistics of x
 * (Ioffe & Szegedy 2015, §3):
 *   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/√(σ² + ε) · (dy − dβ/N − x̂·dγ/N)
 * which per channel is dx = a·dy + b·(x − μ) + d, so the second pass is a few multiply-adds.
 * With `relu` (the output of a ReLU applied to y in the same kernel), dy is the gradient with
 * respect to that output and counts only where it is > 0.
 */
export function batchNormGrad(
  dy: Float32Array,
  x: Float32Array,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  gamma: ArrayLike<number>,
  epsilon: number,
  dx: Float32Array,
  dGamma: Float32Array,
  dBeta: Float32Array,
  relu?: Float32Array,
): void {
  const channels = mean.length;
  const n = x.length / channels;
  const sumDy = new Float64Array(channels);
  const sumDyX = new Float64Array(channels);
  const grad = (i: number) =>
    relu === undefined || (relu[i] as number) > 0 ? (dy[i] as number) : 0;
  for (let p = 0; p < x.length; p += channels) {
    for (let c = 0; c < channels; c++) {
      const g = grad(p + c);
      sumDy[c] = (sumDy[c] as number) + g;
      sumDyX[c] = (sumDyX[c] as number) + g * (x[p + c] as number);
    }
  }
  const a = new Float64Array(channels);
  const b = new Float64Array(channels);
  const d = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const m = mean[c] as number;
    const inv = 1 / Math.sqrt((variance[c] as number) + epsilon);
    const db = sumDy[c] as number;
    // Σ dy·(x − μ) = Σ dy·x − μ·Σ dy
    const dg = ((sumDyX[c] as number) - m * db) * inv;
    dBeta[c] = db;
    dGamma[c] = dg;
    const ac = (gamma[c] as number) * inv;
    a[c] = ac;
    b[c] = (-ac * inv * dg) / n;
    d[c] = (-ac * db) / n;
  }
  for (let p = 0; p < x.length; p += channels) {
    for (let c = 0; c < channels; c++) {
      dx[p + c] =
        (a[c] as number) * grad(p + c) +
        (b[c] as number) * ((x[p + c] as number) - (mean[c] as number)) +
        (d[c] as number);
    }
  }
}

const gradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const be = heapBackend(backend, BN_GRAD);
  const [dy, x, mean, variance, gamma] = ['dy', 'x', 'mean', 'variance', 'gamma'].map((n) =>
    input(inputs, n, BN_GRAD),
  ) as [TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo];
  // The ReLU's output when the forward kernel applied one (KDLensBatchNormApply with relu).
  const relu = inputs.relu === undefined ? undefined : input(inputs, 'relu', BN_GRAD);
  const epsilon = epsilonOf(attrs);
  const channels = mean.shape[0] ?? 1;
  const dx = be.makeOutput([...x.shape], 'float32');
  const dGamma = be.makeOutput([channels], 'float32');
  const dBeta = be.makeOutput([channels], 'float32');
  const simd = simdFor(be, channels);
  const s = simd === undefined ? undefined : scratch(be, channels, 4);
  const view = (t: TensorInfo) => be.typedArrayFromHeap(t) as Float32Array;
  const [dyv, xv, mv, vv, gv, dgv, dbv] = [dy, x, mean, variance, gamma, dGamma, dBeta].map(
    view,
  ) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  if (simd === undefined || s === undefined) {
    const rv = relu === undefined ? undefined : view(relu);
    batchNormGrad(dyv, xv, mv, vv, gv, epsilon, view(dx), dgv, dbv, rv);
    return [dx, dGamma, dBeta];
  }
  const rows = xv.length / channels;
  const rowBytes = 4 * channels;
  s.acc.fill(0);
  s.coef.set(mv);
  const dyp = ptr(be, dy);
  const xp = ptr(be, x);
  const rp = relu === undefined ? undefined : ptr(be, relu);
  if (rp === undefined) simd.centeredSums(dyp, xp, s.coefPtr, rows, rowBytes, s.accPtr);
  else simd.centeredSumsMasked(dyp, xp, s.coefPtr, rp, rows, rowBytes, s.accPtr);
  // Same coefficients as batchNormGrad: dx = a·dy + b·(x − μ) + d.
  for (let c = 0; c < channels; c++) {
    const inv = 1 / Math.sqrt((vv[c] as number) + epsilon);
    const [db, sdx] = accAt(s.acc, c);
    const dg = sdx * inv;
    dbv[c] = db;
    dgv[c] = dg;
    const a = (gv[c] as number) * inv;
    s.coef[channels + c] = a;
    s.coef[2 * channels + c] = (-a * inv * dg) / rows;
    s.coef[3 * channels + c] = (-a * db) / rows;
  }
  if (rp === undefined) simd.gradInput(dyp, xp, s.coefPtr, ptr(be, dx), rows, rowBytes);
  else simd.gradInputMasked(dyp, xp, s.coefPtr, rp, ptr(be, dx), rows, rowBytes);
  be.disposeData(s.info.dataId);
  return [dx, dGamma, dBeta];
};

export const batchNormGradConfig: tf.KernelConfig = {
  kernelName: BN_GRAD,
  backendName: 'wasm',
  kernelFunc: gradKernel,
};
