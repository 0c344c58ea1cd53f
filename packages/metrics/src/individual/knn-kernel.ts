import { knnKernelBase64 } from './knn-kernel.wasm.ts';

/**
 * The WebAssembly screening kernel of nearest-neighbors.ts (source: wasm/knn-kernel.wat, which
 * documents the memory layout). `scan` screens rows i..i+3 against candidate rows
 * [jb, jEnd) and returns how many 4×2 tiles it wrote out for a closer look.
 */
export interface KnnKernel {
  /** The kernel's memory, at least the size asked for; views on it are valid until release. */
  readonly buffer: ArrayBuffer;
  readonly scan: (
    i: number,
    jb: number,
    jEnd: number,
    diagonal: number,
    panelWorst: number,
  ) => number;
}

// The slice of the WebAssembly JS API used here; neither lib ES2023 nor @types/node declares it.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: { env: { memory: WasmMemory } },
  ) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}

const PAGE_BYTES = 65536;
// wasm32 addresses 4 GiB; the kernel's i32 address arithmetic is modulo 2³² and stays exact
// below that.
const MAX_BYTES = 2 ** 32 - PAGE_BYTES;
// Memory cannot shrink, so a big search's memory is let go afterwards rather than kept for
// the process's lifetime; small ones are kept to spare the next call an instantiation.
const RETAIN_BYTES = 64 * 1024 * 1024;

interface Instance {
  readonly memory: WasmMemory;
  readonly scan: KnnKernel['scan'];
}

interface Compiled {
  readonly api: WasmApi;
  readonly module: object;
}

/** undefined: not tried yet; null: this engine cannot run the kernel. */
let compiled: Compiled | null | undefined;
let cached: Instance | undefined;

function compile(): Compiled | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) return null;
  const bytes = Uint8Array.from(atob(knnKernelBase64), (c) => c.charCodeAt(0));
  // The module uses v128, so engines without SIMD reject it here and get the TypeScript path.
  if (!api.validate(bytes)) return null;
  // Synchronous compilation is fine for a module of about a kilobyte.
  return { api, module: new api.Module(bytes) };
}

function compiledKernel(): Compiled | null {
  if (compiled === undefined) compiled = compile();
  return compiled;
}

/** Whether this engine runs the WebAssembly kernel (WebAssembly with SIMD). */
export function hasKnnKernel(): boolean {
  return compiledKernel() !== null;
}

/**
 * The kernel with at least `bytes` of memory (contents unspecified), or undefined when the
 * engine lacks WebAssembly SIMD or cannot provide that much memory. Call `releaseKnnKernel`
 * once the views on its buffer are no longer needed.
 */
export function acquireKnnKernel(bytes: number): KnnKernel | undefined {
  const kernel = compiledKernel();
  if (kernel === null || bytes > MAX_BYTES) return undefined;
  const pages = Math.ceil(bytes / PAGE_BYTES);
  try {
    if (cached === undefined) {
      const memory = new kernel.api.Memory({ initial: pages });
      const instance = new kernel.api.Instance(kernel.module, { env: { memory } });
      const scan = instance.exports.scan;
      if (typeof scan !== 'function') throw new Error('knn kernel: no scan export');
      cached = { memory, scan: scan as KnnKernel['scan'] };
    } else {
      const have = cached.memory.buffer.byteLength / PAGE_BYTES;
      if (have < pages) cached.memory.grow(pages - have);
    }
  } catch (error) {
    // RangeError: the engine would not reserve or grow that much; the caller falls back.
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  return { buffer: cached.memory.buffer, scan: cached.scan };
}

/** End of a search: drop the instance if its memory has grown large (see RETAIN_BYTES). */
export function releaseKnnKernel(): void {
  if (cached !== undefined && cached.memory.buffer.byteLength > RETAIN_BYTES) cached = undefined;
}
