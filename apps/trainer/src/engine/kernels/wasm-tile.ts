/**
 * Tile for the wasm backend, written as block copies in JS.
 *
 * Why: tfjs's FusedBatchNorm gradient tiles per-channel [1, 1, 1, C] vectors
 * up to the full activation shape, and the wasm backend's native Tile is an
 * element-by-element index-decoding loop (~35 ns/element): it was the
 * second-largest kernel of a conv–BN training step (~290 ms of ~1.2 s).
 * Tiling along dimension d is "repeat each slab of the inner dimensions
 * reps[d] times", so working from the innermost dimension outwards every step
 * is a handful of contiguous copies (copyWithin, doubling).
 */

import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { isWasmHeapBackend } from './wasm-heap-module.ts';
import type { KernelOverrideConfig } from './wasm-kernel-config.ts';

type Numeric = Float32Array | Int32Array | Uint8Array;

/** Tiles `x` (row-major, `shape`) by `reps` into `out` (length = Π shape[i]·reps[i]). */
export function tileInto(
  x: Numeric,
  shape: readonly number[],
  reps: readonly number[],
  out: Numeric,
): void {
  out.set(x, 0);
  // `len` = elements currently laid out (as [outer(d), slab]) at the start of `out`.
  let len = x.length;
  let outer = len;
  for (let d = shape.length - 1; d >= 0; d--) {
    const dim = shape[d] as number;
    const rep = reps[d] as number;
    outer = dim === 0 ? 0 : outer / dim;
    if (rep === 1 || len === 0) continue;
    const slab = len / outer; // current (already tiled) size of one index of dims < d
    const grown = slab * rep;
    // Move slabs to their final places back to front (they never overlap a
    // slab not yet moved), then replicate each in place by doubling.
    for (let o = outer - 1; o >= 0; o--) {
      const dst = o * grown;
      if (dst !== o * slab) out.copyWithin(dst, o * slab, o * slab + slab);
      let filled = slab;
      while (filled < grown) {
        const n = Math.min(filled, grown - filled);
        out.copyWithin(dst + filled, dst, dst + n);
        filled += n;
      }
    }
    len = outer * grown;
  }
}

export function makeWasmTileKernel(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x;
    const reps = (attrs as { reps?: number[] } | undefined)?.reps;
    if (
      x === undefined ||
      reps === undefined ||
      reps.length !== x.shape.length ||
      !isWasmHeapBackend(backend) ||
      (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool')
    ) {
      return original(args);
    }
    const outShape = x.shape.map((d, i) => d * (reps[i] as number));
    const out: TensorInfo = backend.makeOutput(outShape, x.dtype as 'float32');
    // Views after the allocation (a malloc may grow and detach the heap).
    const src = backend.typedArrayFromHeap(x) as Numeric;
    const dst = backend.typedArrayFromHeap(out) as Numeric;
    tileInto(src, x.shape, reps, dst);
    return out;
  };
}

export const tileOverride: KernelOverrideConfig = {
  kernelName: 'Tile',
  makeKernelFunc: makeWasmTileKernel,
};
