import { MetricsInputError } from '../input/metrics-input-error.ts';

/** A seeded stream of uniform numbers; the same seed always gives the same stream. */
export interface Random {
  /** A uniform float in [0, 1) with 32 random bits. */
  next(): number;
  /** A uniform integer in [0, n), without modulo bias; n is an integer in [1, 2^32]. */
  int(n: number): number;
}

const TWO_POW_32 = 4294967296;

/**
 * Mulberry32 (T. Ettinger, 2017): a 32-bit state advanced by a Weyl step (+0x6D2B79F5) and
 * mixed by xorshift-multiply rounds. Small, fast, passes gjrand/PractRand to 2^32 outputs — ample
 * for bootstrap resampling, where the point is reproducibility, not cryptographic strength.
 * `seed` must be an integer; it is taken modulo 2^32.
 */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed)) {
    throw new MetricsInputError('seed', `must be an integer, got ${seed}`);
  }
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  };
  return {
    next: () => nextUint32() / TWO_POW_32,
    int(n: number): number {
      if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
        throw new MetricsInputError('n', `must be an integer in [1, 2^32], got ${n}`);
      }
      // Rejection sampling: draws at or above the largest multiple of n would favour small values.
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      let u = nextUint32();
      while (u >= limit) u = nextUint32();
      return u % n;
    },
  };
}
