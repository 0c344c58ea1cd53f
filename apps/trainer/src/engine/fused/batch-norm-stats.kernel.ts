/** The batch statistics of the fused training batch norm (batch-norm.kernel-names.ts). */
import type * as tf from '@tensorflow/tfjs';
import { accAt, heapBackend, input, ptr, scratch, simdFor } from './batch-norm.heap.ts';
import { BN_STATS } from './batch-norm.kernel-names.ts';

/** Per-channel mean and biased variance (what tf.moments returns), Float64 sums. */
export function batchNormStats(
  x: Float32Array,
  channels: number,
): { mean: Float64Array; variance: Float64Array } {
  const rows = x.length / channels;
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  for (let p = 0; p < x.length; p += channels) {
    for (let c = 0; c < channels; c++) {
      const v = x[p + c] as number;
      sum[c] = (sum[c] as number) + v;
      sumSq[c] = (sumSq[c] as number) + v * v;
    }
  }
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const m = (sum[c] as number) / rows;
    mean[c] = m;
    // E[x²] − E[x]² in Float64: cancellation costs ~1e-16 relative, far below float32 eps.
    variance[c] = Math.max(0, (sumSq[c] as number) / rows - m * m);
  }
  return { mean, variance };
}

const statsKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const be = heapBackend(backend, BN_STATS);
  const x = input(inputs, 'x', BN_STATS);
  const channels = x.shape[x.shape.length - 1] ?? 1;
  const meanOut = be.makeOutput([channels], 'float32');
  const varOut = be.makeOutput([channels], 'float32');
  const simd = simdFor(be, channels);
  if (simd === undefined) {
    const { mean, variance } = batchNormStats(be.typedArrayFromHeap(x) as Float32Array, channels);
    // Views only after all allocations: a malloc may grow (and detach) the heap.
    (be.typedArrayFromHeap(meanOut) as Float32Array).set(mean);
    (be.typedArrayFromHeap(varOut) as Float32Array).set(variance);
    return [meanOut, varOut];
  }
  const s = scratch(be, channels, 1);
  const rows = (be.typedArrayFromHeap(x) as Float32Array).length / channels;
  const xp = ptr(be, x);
  // One pass around a pivot m near the mean (the float32 mean of 16 rows spread over x): Σ(x − m)
  // and Σ(x − m)², and then Σ(x − μ)² = Σ(x − m)² − (Σ(x − m))²/N. The subtraction loses only
  // a factor 1 + (μ − m)²/σ² of the sums' float32 rounding, where E[x²] − E[x]² would lose
  // 1 + μ²/σ².
  const samples = Math.min(rows, 16);
  const rowBytes = 4 * channels;
  s.acc.fill(0);
  s.coef.fill(0);
  for (let i = 0; i < samples; i++) {
    // Golden-ratio steps: evenly spaced rows would all be pixel (0, 0) of some images when the
    // batch is a multiple of 16, the zero-padded corner.
    const row = Math.floor((((i + 1) * 0.6180339887498949) % 1) * rows);
    simd.deviationSums(xp + row * rowBytes, s.coefPtr, 1, rowBytes, s.accPtr);
  }
  for (let c = 0; c < channels; c++) s.coef[c] = accAt(s.acc, c)[0] / samples;
  s.acc.fill(0);
  simd.deviationSums(xp, s.coefPtr, rows, rowBytes, s.accPtr);
  const meanV = be.typedArrayFromHeap(meanOut) as Float32Array;
  const varV = be.typedArrayFromHeap(varOut) as Float32Array;
  for (let c = 0; c < channels; c++) {
    const [d, dd] = accAt(s.acc, c);
    meanV[c] = (s.coef[c] as number) + d / rows;
    varV[c] = Math.max(0, (dd - (d * d) / rows) / rows);
  }
  be.disposeData(s.info.dataId);
  return [meanOut, varOut];
};

export const batchNormStatsConfig: tf.KernelConfig = {
  kernelName: BN_STATS,
  backendName: 'wasm',
  kernelFunc: statsKernel,
};
