/**
 * UnsortedSegmentSum for the wasm backend: out[s] = Σ x[i] over the rows i with
 * segmentIds[i] = s, as one pass over x on the wasm heap.
 *
 * Why: tfjs computes the gradient of GatherV2 (so of every tf.layers.embedding) with
 * UnsortedSegmentSum, and @tensorflow/tfjs-backend-wasm 4.22 does not register it, so no
 * text model could train on wasm. The scatter-add is memory-bound and tiny next to the
 * rest of a step (batch 32 × 64 tokens × 64 wide is 131k adds, well under a millisecond),
 * so a plain loop suffices; the cpu backend's version (one Equal/Multiply/Sum over all of
 * x per segment, O(numSegments · x.size)) is what made text training on cpu slow.
 *
 * Semantics follow the cpu backend: x is viewed as [segmentIds.size, inner]; ids outside
 * [0, numSegments) select no segment (their rows are dropped); segments no id selects are
 * 0; the output is float32 [numSegments, ...x.shape.slice(segmentIds.rank)], for int32 x
 * too (the cpu kernel multiplies x by a float32 mask; webgl would return int32).
 * Deliberate differences: the cpu kernel's mask multiply turns every segment NaN where
 * any row of x holds NaN or ±Infinity, here a row only reaches its own segment (as in
 * TensorFlow); numSegments 0 gives an empty tensor, where the cpu kernel throws.
 */
import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { isWasmHeapBackend } from './wasm-heap-module.ts';

export const UNSORTED_SEGMENT_SUM = 'UnsortedSegmentSum';

/** Adds row i of `x` ([ids.length, inner]) into row ids[i] of `out` ([numSegments, inner]). */
export function unsortedSegmentSumInto(
  x: Float32Array | Int32Array,
  ids: Int32Array,
  inner: number,
  out: Float32Array,
): void {
  const numSegments = inner === 0 ? 0 : out.length / inner;
  out.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i] as number;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++)
      out[dst + j] = (out[dst + j] as number) + (x[src + j] as number);
  }
}

export const wasmUnsortedSegmentSumKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x;
  const segmentIds = inputs.segmentIds;
  const numSegments = (attrs as { numSegments?: number } | undefined)?.numSegments;
  if (x === undefined || segmentIds === undefined || numSegments === undefined) {
    throw new Error('UnsortedSegmentSum (wasm): needs inputs x, segmentIds and attr numSegments');
  }
  if (!isWasmHeapBackend(backend)) {
    throw new Error('UnsortedSegmentSum (wasm): the backend does not expose its heap');
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (wasm): x must be float32 or int32, got ${x.dtype}`);
  }
  if (segmentIds.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (wasm): segmentIds must be int32, got ${segmentIds.dtype}`);
  }
  const idRank = segmentIds.shape.length;
  if (idRank > x.shape.length || segmentIds.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(
      `UnsortedSegmentSum (wasm): segmentIds shape [${segmentIds.shape.join(', ')}] must be a prefix of x shape [${x.shape.join(', ')}]`,
    );
  }
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(
      `UnsortedSegmentSum (wasm): numSegments must be an integer >= 0, got ${numSegments}`,
    );
  }
  const innerShape = x.shape.slice(idRank);
  const inner = innerShape.reduce((p, d) => p * d, 1);
  const out: TensorInfo = backend.makeOutput([numSegments, ...innerShape], 'float32');
  // Views after the allocation (a malloc may grow and detach the heap).
  const xv = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
  const ov = backend.typedArrayFromHeap(out) as Float32Array;
  unsortedSegmentSumInto(xv, ids, inner, ov);
  return out;
};

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: UNSORTED_SEGMENT_SUM,
  backendName: 'wasm',
  kernelFunc: wasmUnsortedSegmentSumKernel,
};
