/**
 * Tiny seeded PRNG utilities.
 *
 * Why our own: Math.random cannot be seeded, and reproducible datasets and
 * shuffles are essential for comparing teacher / student / distilled runs
 * (any accuracy difference must come from training, not from the data draw).
 * The generator is @kdlens/metrics' Mulberry32, so the whole project has one. A module of its
 * own, importing nothing from the trainer, because both datasets/ and engine/ use it.
 */

import { createRandom } from '@kdlens/metrics';

/** Random source: uniform floats in [0, 1) plus a few derived helpers. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Standard normal sample (Box–Muller). */
  normal(): number;
}

export function createRng(seed: number): Rng {
  const random = createRandom(seed);
  const next = random.next;
  return {
    next,
    int: random.int,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    normal: () => {
      // 1 - u keeps the argument of log strictly positive.
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}

/** Fisher–Yates shuffle of the integers 0..n-1, driven by `rng`. */
export function permutation(n: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = out[i] ?? 0;
    out[i] = out[j] ?? 0;
    out[j] = tmp;
  }
  return out;
}
