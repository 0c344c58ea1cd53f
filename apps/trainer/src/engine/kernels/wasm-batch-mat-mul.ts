/**
 * BatchMatMul for the wasm backend that always reaches XNNPACK's fast GEMM.
 *
 * Why: the native kernel runs only a single non-transposed product through XNNPACK; with
 * transposeA or transposeB, or with more than one matrix in the batch, it takes a naive
 * loop ~25× slower. Backward passes are made of exactly those products (dW = xᵀ·dy,
 * dx = dy·Wᵀ; attention's q·kᵀ over batch × heads): they were ~60% of a transformer and
 * ~40% of a BiGRU training step. Here transposed operands are copied transposed into
 * scratch tensors, and a batch is run one matrix at a time, each through the native
 * kernel's fast path. Outer dimensions that broadcast other than "one side has a single
 * matrix", and non-float32 inputs, go to the native kernel.
 */

import type { TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { isWasmHeapBackend, type WasmHeapBackend } from './wasm-heap-module.ts';
import type { KernelOverrideConfig } from './wasm-kernel-config.ts';

/** dst[c·rows + r] = src[offset + r·cols + c]: a [rows, cols] block transposed. */
export function transposeInto(
  src: Float32Array,
  offset: number,
  rows: number,
  cols: number,
  dst: Float32Array,
): void {
  // 16×16 tiles keep both the reads and the writes within a few cache lines.
  const T = 16;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(rows, r0 + T);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(cols, c0 + T);
      for (let r = r0; r < r1; r++) {
        const s = offset + r * cols;
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[s + c] as number;
      }
    }
  }
}

const product = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/**
 * A [rows, cols] float32 scratch tensor holding matrix `i` of `t` (transposed if asked);
 * a `t` of a single matrix is broadcast (matrix 0 for every i).
 */
function plainMatrix(
  backend: WasmHeapBackend,
  t: TensorInfo,
  i: number,
  transposed: boolean,
): TensorInfo {
  const r = t.shape[t.shape.length - 2] as number;
  const c = t.shape[t.shape.length - 1] as number;
  const index = product(t.shape) === r * c ? 0 : i;
  const out = backend.makeOutput(transposed ? [c, r] : [r, c], 'float32');
  // Views after the allocation (a malloc may grow and detach the heap).
  const src = backend.typedArrayFromHeap(t) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  if (transposed) transposeInto(src, index * r * c, r, c, dst);
  else dst.set(src.subarray(index * r * c, (index + 1) * r * c));
  return out;
}

export function makeWasmBatchMatMulKernel(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs;
    const { transposeA = false, transposeB = false } = (attrs ?? {}) as {
      transposeA?: boolean;
      transposeB?: boolean;
    };
    if (
      a === undefined ||
      b === undefined ||
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      a.shape.length < 2 ||
      b.shape.length < 2 ||
      !isWasmHeapBackend(backend)
    ) {
      return original(args);
    }
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = product(outerA);
    const batchB = product(outerB);
    const batch = Math.max(batchA, batchB);
    if (
      (!transposeA && !transposeB && batch === 1) ||
      (batchA !== batchB && Math.min(batchA, batchB) !== 1)
    ) {
      return original(args);
    }
    let outer: number[];
    try {
      outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    } catch {
      return original(args); // the native kernel reports incompatible shapes
    }
    // Outer shapes of equal size that broadcast to more matrices ([6, 1] with [6]) stay native.
    if (product(outer) !== batch) return original(args);
    const m = transposeA ? (a.shape.at(-1) as number) : (a.shape.at(-2) as number);
    const k = transposeA ? (a.shape.at(-2) as number) : (a.shape.at(-1) as number);
    const kB = transposeB ? (b.shape.at(-1) as number) : (b.shape.at(-2) as number);
    const n = transposeB ? (b.shape.at(-2) as number) : (b.shape.at(-1) as number);
    // Mismatches are reported by the native kernel; empty products are trivial there.
    if (k !== kB || m * n * k === 0) return original(args);
    const outShape = [...outer, m, n];
    const plainAttrs = { ...attrs, transposeA: false, transposeB: false };
    const run = (i: number): TensorInfo => {
      // An operand that is one untransposed matrix is passed as is. Other operands are copied
      // afresh for every product, b too: the native kernel caches XNNPACK's packed weights by
      // b's id, so overwriting one scratch b would reuse stale weights.
      const ai = batchA === 1 && !transposeA ? a : plainMatrix(backend, a, i, transposeA);
      const bi = batchB === 1 && !transposeB ? b : plainMatrix(backend, b, i, transposeB);
      try {
        return original({ ...args, inputs: { a: ai, b: bi }, attrs: plainAttrs }) as TensorInfo;
      } finally {
        if (ai !== a) backend.disposeData(ai.dataId);
        if (bi !== b) backend.disposeData(bi.dataId);
      }
    };
    if (batch === 1) {
      const out = run(0);
      out.shape = outShape;
      return out;
    }
    const out = backend.makeOutput(outShape, 'float32');
    for (let i = 0; i < batch; i++) {
      const part = run(i);
      const dst = backend.typedArrayFromHeap(out) as Float32Array;
      dst.set(backend.typedArrayFromHeap(part) as Float32Array, i * m * n);
      backend.disposeData(part.dataId);
    }
    return out;
  };
}

export const batchMatMulOverride: KernelOverrideConfig = {
  kernelName: 'BatchMatMul',
  makeKernelFunc: makeWasmBatchMatMulKernel,
};
