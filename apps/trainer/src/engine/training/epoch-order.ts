/**
 * The order in which one epoch visits the training examples.
 *
 * Each epoch's permutation is a pure function of (seed, epoch) instead of the
 * next draw of one long-lived generator: a resumed run then needs no RNG state
 * in its checkpoint, only the number of finished epochs.
 */
import { createRng, permutation } from '../../random/rng.ts';

/** MurmurHash3's 32-bit finaliser: spreads nearby inputs (epoch 1, 2, …) over the whole range. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Shuffle seed for `epoch` (1-based); the constant keeps it apart from the weight-init stream. */
export function epochSeed(seed: number, epoch: number): number {
  return fmix32(fmix32((seed ^ 0x5bd1e995) >>> 0) + Math.imul(epoch, 0x9e3779b9));
}

/** Permutation of 0..count-1 for `epoch` (1-based) of a run seeded with `seed`. */
export function epochPermutation(count: number, seed: number, epoch: number): Int32Array {
  return permutation(count, createRng(epochSeed(seed, epoch)));
}
