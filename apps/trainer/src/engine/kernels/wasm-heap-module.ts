/**
 * The tfjs wasm backend's heap as KDLens' kernels use it: the backend's heap methods
 * (WasmHeapBackend), and small hand-written WebAssembly SIMD modules (a .wat compiled to base64
 * by scripts/build-wasm.sh) instantiated on the backend's own memory, so their functions read and
 * write tensors in place given their heap byte offsets. Why: element loops in TypeScript
 * over the heap run at several ns/element (bounds checks, no SIMD); f32x4 runs well under 1.
 */

import type * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';

/**
 * The slice of BackendWasm the kernels use: tensors on the wasm heap. Typed structurally
 * (instead of importing the class) so no kernel depends on the wasm package at run time and each
 * can be unit-tested against anything with the same methods.
 */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): tf.backend_util.TypedArray;
  disposeData(dataId: object, force?: boolean): boolean;
}

export function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  if (typeof backend !== 'object' || backend === null) return false;
  return (
    'makeOutput' in backend &&
    typeof backend.makeOutput === 'function' &&
    'typedArrayFromHeap' in backend &&
    typeof backend.typedArrayFromHeap === 'function' &&
    'disposeData' in backend &&
    typeof backend.disposeData === 'function'
  );
}

// The slice of the WebAssembly JS API used here; neither lib ES2023 nor @types/node declares it.
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: { env: { memory: object } },
  ) => { readonly exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => object;
}

/** Per module source: null when this engine cannot compile it (no WebAssembly SIMD). */
const compiled = new Map<string, object | null>();
const instances = new Map<string, WeakMap<object, Record<string, unknown>>>();
let enabled = true;

function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

function compile(api: WasmApi, base64: string): object | null {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  // The modules use v128: engines without SIMD reject them and keep the TypeScript loops.
  if (!api.validate(bytes)) return null;
  return new api.Module(bytes);
}

/**
 * The exports of module `base64` bound to `backend`'s heap, or undefined when the backend
 * does not expose its WebAssembly.Memory (tfjs-backend-wasm 4.x does, as
 * backend.wasm.asm.memory), the engine lacks SIMD, or setHeapSimd(false) was called.
 */
export function heapModuleExports(
  base64: string,
  backend: unknown,
): Record<string, unknown> | undefined {
  const api = wasmApi();
  if (!enabled || api === undefined) return undefined;
  const memory = (backend as { wasm?: { asm?: { memory?: unknown } } } | null)?.wasm?.asm?.memory;
  if (!(memory instanceof api.Memory)) return undefined;
  let module = compiled.get(base64);
  if (module === undefined) {
    module = compile(api, base64);
    compiled.set(base64, module);
  }
  if (module === null) return undefined;
  let byMemory = instances.get(base64);
  if (byMemory === undefined) {
    byMemory = new WeakMap();
    instances.set(base64, byMemory);
  }
  let exports = byMemory.get(memory);
  if (exports === undefined) {
    exports = new api.Instance(module, { env: { memory } }).exports;
    byMemory.set(memory, exports);
  }
  return exports;
}

/** A function export, checked (the .wat and its caller are maintained together). */
export function exportedFunction<F>(exports: Record<string, unknown>, name: string): F {
  const f = exports[name];
  if (typeof f !== 'function') throw new Error(`wasm heap module: missing export '${name}'`);
  return f as F;
}

/** Test hook: false makes every caller take its TypeScript loops. Returns the old setting. */
export function setHeapSimd(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}
