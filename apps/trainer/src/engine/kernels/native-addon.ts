/**
 * The native convolution addon (apps/trainer/native: C++ with Node-API, AVX2 + FMA, and AVX-512
 * where the CPU has it), loaded
 * only when it was built (`npm run build:native -w @kdlens/trainer`, run by `npm start`'s build
 * and CI) and the CPU has AVX2 and FMA. Otherwise every convolution keeps the wasm kernels.
 *
 * Why native: wasm SIMD in Node 20 is 128-bit without FMA, so the wasm kernels cannot reach
 * what PyTorch's convolutions (oneDNN, AVX2 or AVX-512 as the CPU allows) do per core. The addon computes on the wasm
 * backend's own heap (its WebAssembly.Memory's ArrayBuffer, addressed by byte offsets), so a
 * kernel call copies nothing.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The addon's exports (native/src/addon.cc documents the params layout). */
export type NativeIsa = 'avx2' | 'avx512';

export interface NativeConvAddon {
  supported(): boolean;
  /** The instruction set the kernels use (AVX-512 when the CPU has it); with one, switches. */
  isa(use?: NativeIsa): NativeIsa;
  conv2d(heap: ArrayBuffer, params: Float64Array): void;
  conv2dBackpropInput(heap: ArrayBuffer, params: Float64Array): void;
  conv2dBackpropFilter(heap: ArrayBuffer, params: Float64Array): void;
  maxPoolGrad(heap: ArrayBuffer, params: Float64Array): void;
  reluGrad(heap: ArrayBuffer, params: Float64Array): void;
  relu(heap: ArrayBuffer, params: Float64Array): void;
}

const addonFunctions = [
  'supported',
  'isa',
  'conv2d',
  'conv2dBackpropInput',
  'conv2dBackpropFilter',
  'maxPoolGrad',
  'reluGrad',
  'relu',
] as const;

function isNativeConvAddon(value: unknown): value is NativeConvAddon {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return addonFunctions.every((name) => typeof record[name] === 'function');
}

export type NativeKernelsStatus =
  | { available: true; kernels: `native-${NativeIsa}` }
  | { available: false; kernels: 'wasm'; reason: string };

const addonPath = fileURLToPath(
  new URL('../../../native/build/Release/kdlens_native.node', import.meta.url),
);

let loaded: { addon: NativeConvAddon | undefined; status: NativeKernelsStatus } | undefined;
let enabled = true;

function load(): { addon: NativeConvAddon | undefined; status: NativeKernelsStatus } {
  const unavailable = (reason: string) => ({
    addon: undefined,
    status: { available: false, kernels: 'wasm', reason } as const,
  });
  if (!existsSync(addonPath)) {
    return unavailable('not built (npm run build:native -w @kdlens/trainer)');
  }
  let exports: unknown;
  try {
    exports = createRequire(import.meta.url)(addonPath);
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return unavailable(`did not load: ${message}`);
  }
  if (!isNativeConvAddon(exports)) {
    return unavailable('the built addon lacks the expected functions (rebuild it)');
  }
  const addon = exports;
  if (!addon.supported()) return unavailable('this CPU lacks AVX2/FMA');
  return { addon, status: { available: true, kernels: `native-${addon.isa()}` } };
}

/** The addon when built, supported by this CPU and not switched off; else undefined. */
export function nativeConvAddon(): NativeConvAddon | undefined {
  if (!enabled) return undefined;
  loaded ??= load();
  return loaded.addon;
}

/** Whether convolutions run natively in this process, and why not (cheap; loads once). */
export function nativeKernelsStatus(): NativeKernelsStatus {
  loaded ??= load();
  if (loaded.addon === undefined) return loaded.status;
  if (!enabled) return { available: false, kernels: 'wasm', reason: 'switched off' };
  return { available: true, kernels: `native-${loaded.addon.isa()}` };
}

/**
 * Test and benchmark hook: run the native kernels on `isa` (at most what the CPU has). Returns
 * the instruction set now in use, or undefined without the addon.
 */
export function useNativeIsa(isa: NativeIsa): NativeIsa | undefined {
  loaded ??= load();
  return loaded.addon?.isa(isa);
}

/** Benchmark and test hook: false sends every convolution to the wasm kernels. */
export function setNativeConvKernels(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}
