/**
 * Training-mode batch norm over the last axis as three wasm kernels that each make one or two
 * streaming passes over the wasm heap: batch statistics, normalisation, and the whole backward
 * pass (dx, dγ, dβ).
 *
 * Why: tfjs builds training BN from moments + FusedBatchNorm, whose gradient is ~25 broadcast
 * Multiply/Sub/Sum/Mean/Cast kernels per layer; on wasm those were ~40% of a reference-CNN
 * training step. The closed-form backward needs two passes over dy and x.
 *
 * x is viewed as [R, C] (C = channels, innermost). Sums run in Float64 so the results agree
 * with the cpu backend's composite to float32 rounding.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { isWasmHeapBackend, type WasmHeapBackend } from '../kernels/wasm-heap-module.ts';
import { type BatchNormSimd, batchNormSimdFor } from './batch-norm.simd.ts';

export const BN_STATS = 'KDLensBatchNormStats';
export const BN_APPLY = 'KDLensBatchNormApply';
export const BN_GRAD = 'KDLensBatchNormGrad';

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

/**
 * Backward of y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε) and μ, σ² the batch statistics of x
 * (Ioffe & Szegedy 2015, §3):
 *   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/√(σ² + ε) · (dy − dβ/N − x̂·dγ/N)
 * which per channel is dx = a·dy + b·(x − μ) + d, so the second pass is a few multiply-adds.
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
): void {
  const channels = mean.length;
  const n = x.length / channels;
  const sumDy = new Float64Array(channels);
  const sumDyX = new Float64Array(channels);
  for (let p = 0; p < x.length; p += channels) {
    for (let c = 0; c < channels; c++) {
      const g = dy[p + c] as number;
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
        (a[c] as number) * (dy[p + c] as number) +
        (b[c] as number) * ((x[p + c] as number) - (mean[c] as number)) +
        (d[c] as number);
    }
  }
}

function input(inputs: tf.NamedTensorInfoMap, name: string, kernel: string): TensorInfo {
  const t = inputs[name];
  if (t === undefined || t.dtype !== 'float32') {
    throw new Error(`${kernel} (wasm): input '${name}' must be a float32 tensor`);
  }
  return t;
}

function heapBackend(backend: unknown, kernel: string): WasmHeapBackend {
  if (!isWasmHeapBackend(backend)) {
    throw new Error(`${kernel}: backend does not expose the wasm heap`);
  }
  return backend;
}

function epsilonOf(attrs: tf.NamedAttrMap | undefined): number {
  const e = attrs?.epsilon;
  if (typeof e !== 'number') throw new Error('batch norm kernels need a numeric epsilon attr');
  return e;
}

/**
 * Scratch on the wasm heap for the SIMD passes: Float64 accumulators (64 bytes per 4
 * channels, at an 8-aligned byte offset) followed by `vectors` float32 [C] coefficient rows.
 */
interface Scratch {
  info: TensorInfo;
  acc: Float64Array;
  accPtr: number;
  coef: Float32Array;
  coefPtr: number;
}

function scratch(be: WasmHeapBackend, channels: number, vectors: number): Scratch {
  // +2 floats of slack to align the Float64 part to 8 bytes.
  const info = be.makeOutput([4 * channels + vectors * channels + 2], 'float32');
  const view = be.typedArrayFromHeap(info) as Float32Array;
  const accPtr = Math.ceil(view.byteOffset / 8) * 8;
  const coefPtr = accPtr + 16 * channels;
  return {
    info,
    acc: new Float64Array(view.buffer, accPtr, 2 * channels),
    accPtr,
    coef: new Float32Array(view.buffer, coefPtr, vectors * channels),
    coefPtr,
  };
}

/** Σu and Σv of channel c from the SIMD accumulator layout. */
function accAt(acc: Float64Array, c: number): [number, number] {
  const base = (c >> 2) * 8 + (c & 3);
  return [acc[base] as number, acc[base + 4] as number];
}

const ptr = (be: WasmHeapBackend, t: TensorInfo) => be.typedArrayFromHeap(t).byteOffset;

/** Whether the SIMD passes take this tensor: whole 4-channel groups only. */
function simdFor(backend: WasmHeapBackend, channels: number): BatchNormSimd | undefined {
  return channels % 4 === 0 ? batchNormSimdFor(backend) : undefined;
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
  // Pass 1: Σx (m = 0). Pass 2 around the float32 mean m: Σx·(x − m), and then
  // Σ(x − m)² = Σx·(x − m) − m·(Σx − N·m), which avoids E[x²] − E[x]² cancellation.
  s.acc.fill(0);
  s.coef.fill(0);
  simd.centeredSums(xp, xp, s.coefPtr, rows, 4 * channels, s.accPtr);
  for (let c = 0; c < channels; c++) s.coef[c] = accAt(s.acc, c)[0] / rows;
  s.acc.fill(0);
  simd.centeredSums(xp, xp, s.coefPtr, rows, 4 * channels, s.accPtr);
  const meanV = be.typedArrayFromHeap(meanOut) as Float32Array;
  const varV = be.typedArrayFromHeap(varOut) as Float32Array;
  for (let c = 0; c < channels; c++) {
    const m = s.coef[c] as number;
    const [sx, sxc] = accAt(s.acc, c);
    meanV[c] = m;
    varV[c] = Math.max(0, (sxc - m * (sx - rows * m)) / rows);
  }
  be.disposeData(s.info.dataId);
  return [meanOut, varOut];
};

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

const gradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const be = heapBackend(backend, BN_GRAD);
  const [dy, x, mean, variance, gamma] = ['dy', 'x', 'mean', 'variance', 'gamma'].map((n) =>
    input(inputs, n, BN_GRAD),
  ) as [TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo];
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
    batchNormGrad(dyv, xv, mv, vv, gv, epsilon, view(dx), dgv, dbv);
    return [dx, dGamma, dBeta];
  }
  const rows = xv.length / channels;
  const rowBytes = 4 * channels;
  s.acc.fill(0);
  s.coef.set(mv);
  const dyp = ptr(be, dy);
  const xp = ptr(be, x);
  simd.centeredSums(dyp, xp, s.coefPtr, rows, rowBytes, s.accPtr);
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
  simd.gradInput(dyp, xp, s.coefPtr, ptr(be, dx), rows, rowBytes);
  be.disposeData(s.info.dataId);
  return [dx, dGamma, dBeta];
};

/** Removes them again (the "before" variant of benchmarks); the layers then train stock. */
export function unregisterWasmBatchNormKernels(): void {
  for (const name of [BN_STATS, BN_APPLY, BN_GRAD]) {
    if (tf.getKernel(name, 'wasm') !== undefined) tf.unregisterKernel(name, 'wasm');
  }
}

/** Registers the three kernels for the wasm backend (idempotent). */
export function registerWasmBatchNormKernels(): void {
  const kernels: [string, tf.KernelFunc][] = [
    [BN_STATS, statsKernel],
    [BN_APPLY, applyKernel],
    [BN_GRAD, gradKernel],
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    if (tf.getKernel(kernelName, 'wasm') === undefined) {
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    }
  }
}
