/**
 * Picks and initialises the tfjs compute backend.
 *
 * Why the ladder: the native bindings (@tensorflow/tfjs-node[-gpu]) are
 * optional dependencies that need a prebuilt libtensorflow download, so they
 * are often absent; wasm always works offline and is ~10× faster than the
 * pure-JS cpu backend, which remains the last resort.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { type BackendName, backendNames } from '@kdlens/core';
import * as tf from '@tensorflow/tfjs';
import { registerWasmConv2DBackpropFilter } from './wasm-conv2d-backprop-filter.ts';

// The names are part of the experiment spec and the env schema, so they live in @kdlens/core.
export { type BackendName, backendNames };

export interface BackendInfo {
  requested: BackendName;
  /** tf.getBackend() after initialisation, e.g. 'tensorflow', 'wasm', 'cpu'. */
  active: string;
}

type ConcreteBackend = Exclude<BackendName, 'auto'>;

const autoOrder: readonly ConcreteBackend[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** tfjs-node and tfjs-node-gpu both register themselves as 'tensorflow'. */
function tfBackendName(name: ConcreteBackend): string {
  return name === 'tensorflow-gpu' ? 'tensorflow' : name;
}

/** Set once a backend was successfully initialised by this module. */
let initialised: { name: ConcreteBackend; active: string } | undefined;

/**
 * Dynamic import through a variable: TypeScript then does not try to resolve
 * (and type-check against) optional packages that may not be installed.
 */
async function importOptional(specifier: string): Promise<unknown> {
  return import(specifier);
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
  registerWasmConv2DBackpropFilter();
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(`${path.dirname(entry)}${path.sep}`);
  wasmPrepared = true;
}

async function loadBackend(name: ConcreteBackend): Promise<string> {
  switch (name) {
    case 'tensorflow-gpu':
      await importOptional('@tensorflow/tfjs-node-gpu');
      break;
    case 'tensorflow':
      await importOptional('@tensorflow/tfjs-node');
      break;
    case 'wasm':
      await prepareWasm();
      break;
    case 'cpu':
      // The cpu backend is bundled with @tensorflow/tfjs.
      break;
  }
  const target = tfBackendName(name);
  const ok = await tf.setBackend(target);
  if (!ok) throw new Error(`tf.setBackend('${target}') returned false`);
  await tf.ready();
  return tf.getBackend();
}

function reason(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
}

/**
 * Initialises the requested backend ('auto' = best available). Idempotent: a
 * second call returns the already active backend (for 'auto' or the same
 * name) instead of re-initialising; an explicit different name switches.
 * Throws if an explicitly requested backend cannot be loaded.
 */
export async function initBackend(requested: BackendName = 'auto'): Promise<BackendInfo> {
  if (initialised !== undefined && (requested === 'auto' || requested === initialised.name)) {
    return { requested, active: tf.getBackend() };
  }
  if (requested !== 'auto') {
    try {
      const active = await loadBackend(requested);
      initialised = { name: requested, active };
      return { requested, active };
    } catch (err) {
      throw new Error(`Backend '${requested}' could not be initialised: ${reason(err)}`);
    }
  }
  const failures: string[] = [];
  for (const name of autoOrder) {
    try {
      const active = await loadBackend(name);
      initialised = { name, active };
      return { requested, active };
    } catch (err) {
      // Expected when the optional native packages are not installed.
      failures.push(`${name}: ${reason(err)}`);
    }
  }
  throw new Error(`No tfjs backend could be initialised (${failures.join('; ')})`);
}
