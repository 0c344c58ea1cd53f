/**
 * Sum and Mean over leading axes (e.g. [0, 1, 2] of an NHWC tensor: the
 * per-channel reductions of batch norm and of bias/BN gradients), or over any
 * other contiguous run of axes before the last (e.g. [1, 2]: global average
 * pooling), for the wasm backend, as one streaming pass in JS per outer index.
 *
 * Why: the native wasm reductions only reduce innermost axes, so for leading
 * axes they first run the (slow, ~10 ns/element) generic Transpose; Sum and
 * Mean were ~15% of a conv–BN training step, and the global average pool's
 * Mean 1.8 ms of a 106 ms reference-CNN step. Viewing x as [O, R, C], per
 * outer index we stream the rows in order, adding 8 rows at a time into a
 * per-column Float64 accumulator (~1 ms per 1M elements vs ~3 ms for the
 * native path; a ones[1, R] · x[R, C] XNNPACK product measured slower, ~4.6
 * ms, as it repacks x). Other axis patterns and dtypes go to the original
 * kernels.
 */

import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { isWasmHeapBackend } from './wasm-heap-module.ts';

/**
 * The reduced axes as one contiguous range [start, end) of dimensions, or undefined when they
 * are not contiguous or name an axis x lacks (the original kernel takes those, and throws for
 * the latter). An axis named twice throws here: tfjs-wasm's kernel would size the reduction
 * with it twice and read past x.
 */
function contiguousAxes(
  axis: number | number[] | null | undefined,
  rank: number,
): { start: number; end: number } | undefined {
  // tf.sum(x) and tf.mean(x) pass null: every axis.
  if (axis === undefined || axis === null) return { start: 0, end: rank };
  const list = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a));
  if (list.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)) return undefined;
  const sorted = [...new Set(list)].sort((a, b) => a - b);
  if (sorted.length !== list.length) {
    throw new Error(`Sum/Mean: axis [${list.join(', ')}] names an axis twice`);
  }
  const start = sorted[0];
  if (start === undefined) return { start: 0, end: 0 };
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== start + i) return undefined;
  return { start, end: start + sorted.length };
}

const product = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

export function makeReduceKernel(original: tf.KernelFunc, mean: boolean): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x;
    const a = (attrs ?? {}) as { axis?: number | number[] | null; keepDims?: boolean };
    if (x === undefined || x.dtype !== 'float32' || !isWasmHeapBackend(backend)) {
      return original(args);
    }
    const rank = x.shape.length;
    const range = contiguousAxes(a.axis, rank);
    // Nothing reduced, or the innermost axes (full reductions among them), stay native: the
    // wasm kernels reduce innermost axes fast, and only those.
    if (range === undefined || range.end === range.start || range.end >= rank) {
      return original(args);
    }
    // x as [outer, rows, inner]: per outer index, `rows` rows of `inner` columns to add up.
    const outer = product(x.shape.slice(0, range.start));
    const rows = product(x.shape.slice(range.start, range.end));
    const inner = product(x.shape.slice(range.end));
    const reduced = (i: number) => i >= range.start && i < range.end;
    const outShape = a.keepDims
      ? x.shape.map((d, i) => (reduced(i) ? 1 : d))
      : x.shape.filter((_, i) => !reduced(i));
    const out: TensorInfo = backend.makeOutput(outShape, 'float32');
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    const ov = backend.typedArrayFromHeap(out) as Float32Array;
    const acc = new Float64Array(inner);
    const c = inner;
    const scale = mean ? 1 / rows : 1;
    for (let o = 0; o < outer; o++) {
      acc.fill(0);
      const first = o * rows * c;
      let r = 0;
      for (; r + 8 <= rows; r += 8) {
        const b = first + r * c;
        for (let j = 0; j < c; j++) {
          const p = b + j;
          acc[j] =
            (acc[j] as number) +
            ((xv[p] as number) +
              (xv[p + c] as number) +
              (xv[p + 2 * c] as number) +
              (xv[p + 3 * c] as number) +
              (xv[p + 4 * c] as number) +
              (xv[p + 5 * c] as number) +
              (xv[p + 6 * c] as number) +
              (xv[p + 7 * c] as number));
        }
      }
      for (; r < rows; r++) {
        const b = first + r * c;
        for (let j = 0; j < c; j++) acc[j] = (acc[j] as number) + (xv[b + j] as number);
      }
      const at = o * c;
      for (let j = 0; j < c; j++) ov[at + j] = (acc[j] as number) * scale;
    }
    return out;
  };
}
