/**
 * Per-layer seeds derived from one model seed.
 *
 * Each initializer needs its own seed: with one shared seed, same-shaped kernels would start
 * identical (wasted capacity, and symmetric branches that never diverge). The sequence is a
 * pure function of the model seed and the order layers are created in, so rebuilding the same
 * architecture with the same seed reproduces every initial weight.
 */
export type NextSeed = () => number;

export function layerSeeds(modelSeed: number): NextSeed {
  let i = 0;
  // Same mixing as the demo models in ../models.ts; `>>> 0` keeps it a uint32 for seedrandom.
  return () => (modelSeed * 1009 + 17 * ++i) >>> 0;
}
