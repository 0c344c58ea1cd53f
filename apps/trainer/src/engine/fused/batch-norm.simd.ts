/**
 * The WebAssembly SIMD passes of the fused batch norm (source and memory layout:
 * wasm/batch-norm.wat), run in place on the tfjs wasm heap. Why: the same passes as
 * TypeScript loops ran at 4–13 ns/element (bounds checks, Float64Array accumulators).
 */
import { exportedFunction, heapModuleExports } from '../kernels/wasm-heap-module.ts';
import { batchNormWasmBase64 } from './wasm/batch-norm.wasm.ts';

type Ptr = number;

export interface BatchNormSimd {
  /** acc += (Σ a, Σ a·(b − m)) per channel, Float64 (64 bytes per 4 channels). */
  centeredSums(a: Ptr, b: Ptr, m: Ptr, rows: number, rowBytes: number, acc: Ptr): void;
  /** acc += (Σ (a − m), Σ (a − m)²) per channel, in the same layout. */
  deviationSums(a: Ptr, m: Ptr, rows: number, rowBytes: number, acc: Ptr): void;
  /** y = (x − m)·s + t; coef = [m, s, t] float32, rowBytes each. */
  affineCentered(x: Ptr, coef: Ptr, y: Ptr, rows: number, rowBytes: number): void;
  /** dx = a·dy + b·(x − m) + d; coef = [m, a, b, d] float32, rowBytes each. */
  gradInput(dy: Ptr, x: Ptr, coef: Ptr, dx: Ptr, rows: number, rowBytes: number): void;
  /** affineCentered followed by max(0, ·): the normalisation with the ReLU after it. */
  affineCenteredRelu(x: Ptr, coef: Ptr, y: Ptr, rows: number, rowBytes: number): void;
  /** centeredSums of `a` where the ReLU output `r` is > 0, 0 elsewhere (a gradient through it). */
  centeredSumsMasked(
    a: Ptr,
    b: Ptr,
    m: Ptr,
    r: Ptr,
    rows: number,
    rowBytes: number,
    acc: Ptr,
  ): void;
  /** gradInput of `dy` where the ReLU output `r` is > 0, 0 elsewhere. */
  gradInputMasked(
    dy: Ptr,
    x: Ptr,
    coef: Ptr,
    r: Ptr,
    dx: Ptr,
    rows: number,
    rowBytes: number,
  ): void;
}

const bound = new WeakMap<Record<string, unknown>, BatchNormSimd>();

/** The passes on `backend`'s heap, or undefined (then the kernels use TypeScript loops). */
export function batchNormSimdFor(backend: unknown): BatchNormSimd | undefined {
  const exports = heapModuleExports(batchNormWasmBase64, backend);
  if (exports === undefined) return undefined;
  let simd = bound.get(exports);
  if (simd === undefined) {
    simd = {
      centeredSums: exportedFunction(exports, 'centeredSums'),
      deviationSums: exportedFunction(exports, 'deviationSums'),
      affineCentered: exportedFunction(exports, 'affineCentered'),
      gradInput: exportedFunction(exports, 'gradInput'),
      affineCenteredRelu: exportedFunction(exports, 'affineCenteredRelu'),
      centeredSumsMasked: exportedFunction(exports, 'centeredSumsMasked'),
      gradInputMasked: exportedFunction(exports, 'gradInputMasked'),
    };
    bound.set(exports, simd);
  }
  return simd;
}
