/** Helpers for tests that check a wasm kernel against the cpu backend's. */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../random/rng.ts';

export function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

export const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Largest |expected| and largest |actual − expected|. */
export function maxDiff(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
): { maxAbs: number; diff: number } {
  let maxAbs = 0;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(expected[i] ?? 0));
    diff = Math.max(diff, Math.abs((expected[i] ?? 0) - (actual[i] ?? 0)));
  }
  return { maxAbs, diff };
}

export interface Computed {
  shape: number[];
  dtype: tf.DataType;
  values: number[];
}

/** Runs `f` on `backend` inside a tidy and reads the result back; leaves wasm active. */
export async function computeOn(backend: 'wasm' | 'cpu', f: () => tf.Tensor): Promise<Computed> {
  await tf.setBackend(backend);
  try {
    return tf.tidy(() => {
      const t = f();
      return { shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) };
    });
  } finally {
    await tf.setBackend('wasm');
  }
}

/** Live data ids of the active backend (for the wasm heap: tensors not yet freed). */
export const liveDataIds = (): number => tf.backend().numDataIds();

/**
 * Tensors and live data ids after one warm call of `run`, and again after three more: a kernel
 * that frees everything it allocates leaves both the same. Each result is disposed.
 */
export function leakCounts(run: () => tf.Tensor): {
  before: { tensors: number; dataIds: number };
  after: { tensors: number; dataIds: number };
} {
  const counts = () => ({ tensors: tf.memory().numTensors, dataIds: liveDataIds() });
  run().dispose();
  const before = counts();
  for (let i = 0; i < 3; i++) run().dispose();
  return { before, after: counts() };
}
