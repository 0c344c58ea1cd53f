/**
 * Picks and initialises the tfjs compute backend.
 *
 * Why the ladder: the native bindings (@tensorflow/tfjs-node[-gpu]) are
 * optional dependencies that need a prebuilt libtensorflow download, so they
 * are often absent; wasm always works offline and is ~10× faster than the
 * pure-JS cpu backend, which remains the last resort.
 *
 * The name recorded on a run is the rung that was chosen (`BackendInfo.name`),
 * not tf.getBackend(): both native packages register themselves as
 * 'tensorflow', and whether the GPU package actually found a GPU is exactly
 * what a reader of the results needs to know.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { type BackendName, backendNameSchema, backendNames, KdlensError } from '@kdlens/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { registerWasmKernels } from './register-wasm-kernels.ts';

// The names are part of the experiment spec and the env schema, so they live in @kdlens/core.
export { type BackendName, backendNames };

export type ConcreteBackend = Exclude<BackendName, 'auto'>;

/** The order `auto` tries, best first. */
export const autoOrder: readonly ConcreteBackend[] = [
  'tensorflow-gpu',
  'tensorflow',
  'wasm',
  'cpu',
];

export interface SkippedBackend {
  backend: ConcreteBackend;
  reason: string;
}

export interface BackendInfo {
  requested: BackendName;
  /** The backend in use, as stored on runs: 'tensorflow-gpu' only when TensorFlow sees a GPU. */
  name: ConcreteBackend;
  /** tf.getBackend() after initialisation, e.g. 'tensorflow', 'wasm', 'cpu'. */
  active: string;
  /** Backends `auto` tried before `name`, with the reason each was passed over. */
  skipped: SkippedBackend[];
}

/** A backend name outside backendNames (env, CLI or spec typo). */
export class UnknownBackendError extends KdlensError {
  override readonly name = 'UnknownBackendError';
  constructor(value: unknown) {
    super(`Unknown backend '${String(value)}'; expected one of: ${backendNames.join(', ')}`);
  }
}

/** An explicitly requested backend, or every rung of `auto`, could not be initialised. */
export class BackendUnavailableError extends KdlensError {
  override readonly name = 'BackendUnavailableError';
}

/** Validates a backend name at a boundary (env, CLI, bench flags). */
export function parseBackendName(value: unknown): BackendName {
  const parsed = backendNameSchema.safeParse(value);
  if (!parsed.success) throw new UnknownBackendError(value);
  return parsed.data;
}

/**
 * What the ladder needs from the outside world: the package imports and the
 * tfjs engine. Injected so the ladder can be tested without native packages.
 */
export interface BackendEnvironment {
  /** import('@tensorflow/tfjs-node-gpu'); on success it has registered 'tensorflow'. */
  importTensorflowGpu(): Promise<unknown>;
  /** import('@tensorflow/tfjs-node'); on success it has registered 'tensorflow'. */
  importTensorflow(): Promise<unknown>;
  /** Loads the wasm package and registers KDLens' wasm kernels. */
  prepareWasm(): Promise<void>;
  /** Whether a backend factory of that tfjs name is registered with our tfjs engine. */
  isRegistered(tfName: string): boolean;
  /** tf.setBackend + tf.ready; false when the backend failed to initialise. */
  setBackend(tfName: string): Promise<boolean>;
  /** The initialised backend instance (for the native backend's GPU flags). */
  backendInstance(tfName: string): unknown;
  /** tf.getBackend(). */
  activeBackend(): string;
}

/** Pino's info/warn shape; optional so library callers and tests need no logger. */
export interface BackendLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/**
 * The GPU flags tfjs-node(-gpu)'s NodeJSKernelBackend sets in its constructor:
 * isGPUPackage is `packageName === '@tensorflow/tfjs-node-gpu'`, isUsingGpuDevice
 * comes from the binding's isUsingGpuDevice(), which is true iff TensorFlow's
 * eager context lists a device of type "GPU" (tfjs_backend.cc). Parsed, not
 * cast, so a tfjs-node release that renames them fails loudly here.
 */
const nativeBackendFlagsSchema = z.object({
  isGPUPackage: z.boolean(),
  isUsingGpuDevice: z.boolean(),
});

/** Why a rung cannot be used; the message is the user-facing reason. */
class RungUnavailable extends Error {}

/** The GPU package loaded but TensorFlow found no GPU: a setup problem, not a missing package. */
class NoGpuDevice extends RungUnavailable {}

function reason(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
}

async function importPackage(load: () => Promise<unknown>, pkg: string): Promise<void> {
  try {
    await load();
  } catch (err) {
    throw new RungUnavailable(`${pkg} did not load: ${reason(err)}`);
  }
}

async function activate(env: BackendEnvironment, tfName: string): Promise<void> {
  if (!env.isRegistered(tfName)) {
    // tfjs-node registers with the @tensorflow/tfjs it resolves; a second copy
    // of tfjs-core would leave ours without the backend.
    throw new RungUnavailable(`no '${tfName}' backend is registered with this @tensorflow/tfjs`);
  }
  if (!(await env.setBackend(tfName))) {
    throw new RungUnavailable(`tf.setBackend('${tfName}') returned false`);
  }
}

function nativeFlags(env: BackendEnvironment): z.infer<typeof nativeBackendFlagsSchema> {
  const parsed = nativeBackendFlagsSchema.safeParse(env.backendInstance('tensorflow'));
  if (!parsed.success) {
    throw new RungUnavailable(
      "the 'tensorflow' backend does not report isGPUPackage/isUsingGpuDevice (unsupported tfjs-node version?)",
    );
  }
  return parsed.data;
}

async function loadRung(env: BackendEnvironment, name: ConcreteBackend): Promise<void> {
  switch (name) {
    case 'tensorflow-gpu': {
      // If tfjs-node already registered 'tensorflow', the GPU package cannot
      // replace it (registerBackend refuses a taken name); the flags tell.
      await importPackage(() => env.importTensorflowGpu(), '@tensorflow/tfjs-node-gpu');
      await activate(env, 'tensorflow');
      const flags = nativeFlags(env);
      if (!flags.isGPUPackage) {
        throw new RungUnavailable(
          "the 'tensorflow' backend in this process is @tensorflow/tfjs-node (CPU); start a new process to use the GPU package",
        );
      }
      if (!flags.isUsingGpuDevice) {
        throw new NoGpuDevice(
          '@tensorflow/tfjs-node-gpu loaded but TensorFlow sees no GPU device (check the NVIDIA driver, CUDA/cuDNN libraries and CUDA_VISIBLE_DEVICES)',
        );
      }
      return;
    }
    case 'tensorflow': {
      // When the GPU package loaded but found no GPU it has already registered
      // 'tensorflow' on the host CPU: the same TensorFlow CPU kernels as
      // tfjs-node, so we use it rather than load a second libtensorflow.
      if (!env.isRegistered('tensorflow')) {
        await importPackage(() => env.importTensorflow(), '@tensorflow/tfjs-node');
      }
      await activate(env, 'tensorflow');
      if (nativeFlags(env).isUsingGpuDevice) {
        throw new RungUnavailable(
          "the 'tensorflow' backend in this process is @tensorflow/tfjs-node-gpu running on a GPU; start a new process to train on the CPU",
        );
      }
      return;
    }
    case 'wasm':
      await env.prepareWasm();
      await activate(env, 'wasm');
      return;
    case 'cpu':
      // The cpu backend is bundled with @tensorflow/tfjs.
      await activate(env, 'cpu');
      return;
  }
}

/**
 * The ladder without module state: initialises `requested` ('auto' = the
 * first rung of autoOrder that works). Throws UnknownBackendError for a name
 * outside backendNames, BackendUnavailableError when an explicit backend (or
 * every rung) fails, naming the reason.
 */
export async function selectBackend(
  requestedName: unknown,
  env: BackendEnvironment,
  log?: BackendLog,
): Promise<BackendInfo> {
  const requested = parseBackendName(requestedName);
  const rungs = requested === 'auto' ? autoOrder : [requested];
  const skipped: SkippedBackend[] = [];
  for (const name of rungs) {
    try {
      await loadRung(env, name);
      const info = { requested, name, active: env.activeBackend(), skipped };
      if (skipped.length > 0) log?.info({ backend: name, skipped }, `using backend ${name}`);
      return info;
    } catch (err) {
      const why = reason(err);
      if (requested !== 'auto') {
        throw new BackendUnavailableError(`Backend '${name}' could not be initialised: ${why}`);
      }
      skipped.push({ backend: name, reason: why });
      // A GPU package that loads but finds no GPU deserves a warning; a
      // missing optional package is the normal case.
      if (err instanceof NoGpuDevice) {
        log?.warn({ backend: name, reason: why }, `backend ${name} skipped: no GPU`);
      } else {
        log?.info({ backend: name, reason: why }, `backend ${name} skipped`);
      }
    }
  }
  throw new BackendUnavailableError(
    `No tfjs backend could be initialised (${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')})`,
  );
}

let wasmPrepared = false;

/**
 * In Node the wasm backend cannot guess where its .wasm binaries live (it
 * would look next to the bundle that loaded it), so we point it at the
 * installed package's dist/ folder: require.resolve gives
 * .../tfjs-backend-wasm/dist/tf-backend-wasm.node.js, whose directory also
 * holds tfjs-backend-wasm{,-simd,-threaded-simd}.wasm.
 */
async function prepareWasm(): Promise<void> {
  if (wasmPrepared) return;
  // Must happen before the backend runs its first training step.
  registerWasmKernels();
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(`${path.dirname(entry)}${path.sep}`);
  wasmPrepared = true;
}

/**
 * Dynamic import through a variable: TypeScript then does not try to resolve
 * (and type-check against) optional packages that may not be installed.
 */
async function importOptional(specifier: string): Promise<unknown> {
  return import(specifier);
}

/** The real environment: package imports and this process's tfjs engine. */
export const tfjsBackendEnvironment: BackendEnvironment = {
  importTensorflowGpu: () => importOptional('@tensorflow/tfjs-node-gpu'),
  importTensorflow: () => importOptional('@tensorflow/tfjs-node'),
  prepareWasm,
  isRegistered: (name) => tf.findBackendFactory(name) !== null,
  setBackend: async (name) => {
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    return ok;
  },
  backendInstance: (name) => tf.findBackend(name),
  activeBackend: () => tf.getBackend(),
};

/** Set once a backend was successfully initialised by initBackend. */
let initialised: BackendInfo | undefined;

/**
 * Initialises the requested backend ('auto' = best available) in this
 * process. Idempotent: a second call returns the already active backend (for
 * 'auto' or the same name) instead of re-initialising; an explicit different
 * name switches. Throws UnknownBackendError / BackendUnavailableError.
 */
export async function initBackend(
  requested: string = 'auto',
  log?: BackendLog,
): Promise<BackendInfo> {
  const name = parseBackendName(requested);
  if (initialised !== undefined && (name === 'auto' || name === initialised.name)) {
    return { ...initialised, requested: name };
  }
  try {
    initialised = await selectBackend(name, tfjsBackendEnvironment, log);
  } catch (err) {
    // A failed attempt may have switched tfjs (e.g. to the GPU package on the CPU): forget the
    // cached choice so the next call selects again instead of reporting a stale backend.
    initialised = undefined;
    throw err;
  }
  return initialised;
}
