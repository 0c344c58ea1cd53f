/**
 * What the three fused batch-norm kernels (batch-norm-stats.kernel.ts, batch-norm-apply.kernel.ts,
 * batch-norm-grad.kernel.ts) share: input checks, and the wasm-heap scratch of their SIMD passes
 * with its accumulator layout.
 */

import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { isWasmHeapBackend, type WasmHeapBackend } from '../kernels/wasm-heap-module.ts';
import { type BatchNormSimd, batchNormSimdFor } from './batch-norm.simd.ts';

export function input(inputs: tf.NamedTensorInfoMap, name: string, kernel: string): TensorInfo {
  const t = inputs[name];
  if (t === undefined || t.dtype !== 'float32') {
    throw new Error(`${kernel} (wasm): input '${name}' must be a float32 tensor`);
  }
  return t;
}

export function heapBackend(backend: unknown, kernel: string): WasmHeapBackend {
  if (!isWasmHeapBackend(backend)) {
    throw new Error(`${kernel}: backend does not expose the wasm heap`);
  }
  return backend;
}

export function epsilonOf(attrs: tf.NamedAttrMap | undefined): number {
  const e = attrs?.epsilon;
  if (typeof e !== 'number') throw new Error('batch norm kernels need a numeric epsilon attr');
  return e;
}

/**
 * Scratch on the wasm heap for the SIMD passes: Float64 accumulators (64 bytes per 4
 * channels, at an 8-aligned byte offset) followed by `vectors` float32 [C] coefficient rows.
 */
export interface Scratch {
  info: TensorInfo;
  acc: Float64Array;
  accPtr: number;
  coef: Float32Array;
  coefPtr: number;
}

export function scratch(be: WasmHeapBackend, channels: number, vectors: number): Scratch {
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
export function accAt(acc: Float64Array, c: number): [number, number] {
  const base = (c >> 2) * 8 + (c & 3);
  return [acc[base] as number, acc[base + 4] as number];
}

export const ptr = (be: WasmHeapBackend, t: TensorInfo) => be.typedArrayFromHeap(t).byteOffset;

/** Whether the SIMD passes take this tensor: whole 4-channel groups only. */
export function simdFor(backend: WasmHeapBackend, channels: number): BatchNormSimd | undefined {
  return channels % 4 === 0 ? batchNormSimdFor(backend) : undefined;
}
