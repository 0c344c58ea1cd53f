/**
 * The normalisation of the fused training batch norm (batch-norm.kernel-names.ts), and the same
 * pass as the wasm backend's inference-mode FusedBatchNorm.
 */

import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { isWasmHeapBackend, type WasmHeapBackend } from '../kernels/wasm-heap-module.ts';
import type { KernelOverrideConfig } from '../kernels/wasm-kernel-config.ts';
import { epsilonOf, heapBackend, input, ptr, scratch, simdFor } from './batch-norm.heap.ts';
import { BN_APPLY } from './batch-norm.kernel-names.ts';

/**
 * y = (x − μ)·γ/√(σ² + ε) + β, as one multiply-add per element; with `relu`, max(0, y) (the
 * ReLU that follows the batch norm in a conv–BN–ReLU block, in the same pass).
 */
export function batchNormApply(
  x: Float32Array,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  epsilon: number,
  y: Float32Array,
  relu = false,
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
  if (relu) {
    // As the SIMD pass (f32x4.max): negatives and −0 become +0, NaN stays NaN.
    for (let i = 0; i < y.length; i++) if ((y[i] as number) <= 0) y[i] = 0;
  }
}

/**
 * y = (x − μ)·γ/√(σ² + ε) + β (then max(0, y) with `relu`) on the heap, into a new tensor; μ,
 * σ², γ, β are [C].
 */
function applyOnHeap(
  be: WasmHeapBackend,
  [x, mean, variance, gamma, beta]: [TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo],
  epsilon: number,
  relu = false,
): TensorInfo {
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
    batchNormApply(xv, mv, vv, gv, bv, epsilon, view(y), relu);
    return y;
  }
  for (let c = 0; c < channels; c++) {
    s.coef[c] = mv[c] as number;
    s.coef[channels + c] = (gv[c] as number) / Math.sqrt((vv[c] as number) + epsilon);
    s.coef[2 * channels + c] = bv[c] as number;
  }
  (relu ? simd.affineCenteredRelu : simd.affineCentered)(
    ptr(be, x),
    s.coefPtr,
    ptr(be, y),
    xv.length / channels,
    4 * channels,
  );
  be.disposeData(s.info.dataId);
  return y;
}

const applyKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const be = heapBackend(backend, BN_APPLY);
  const tensors = ['x', 'mean', 'variance', 'gamma', 'beta'].map((n) =>
    input(inputs, n, BN_APPLY),
  ) as [TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo];
  return applyOnHeap(be, tensors, epsilonOf(attrs), attrs?.relu === true);
};

/**
 * The package's FusedBatchNorm (inference-mode batch norm, run by every evaluation and by a
 * distilled student's teacher) replaced by the same pass where it applies: float32, channels
 * last, per-channel [C] statistics, scale and offset. The package's kernel is a scalar loop that
 * took half of a reference-CNN forward pass; the rest (no scale or offset, statistics of another
 * shape) stays on it.
 */
export const fusedBatchNormOverride: KernelOverrideConfig = {
  kernelName: 'FusedBatchNorm',
  makeKernelFunc: (original) => (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x;
    const channels = x?.shape[x.shape.length - 1];
    const tensors = [x, inputs.mean, inputs.variance, inputs.scale, inputs.offset];
    const epsilon = attrs?.varianceEpsilon;
    if (
      x === undefined ||
      channels === undefined ||
      typeof epsilon !== 'number' ||
      !isWasmHeapBackend(backend) ||
      !tensors.every(
        (t, i) =>
          t !== undefined &&
          t.dtype === 'float32' &&
          (i === 0 || (t.shape.length === 1 && t.shape[0] === channels)),
      )
    ) {
      return original(args);
    }
    return applyOnHeap(
      backend,
      tensors as [TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo],
      epsilon,
    );
  },
};

export const batchNormApplyConfig: tf.KernelConfig = {
  kernelName: BN_APPLY,
  backendName: 'wasm',
  kernelFunc: applyKernel,
};
