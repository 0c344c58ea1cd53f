// Shared by engine.bench.ts and its worker processes: synthetic 32×32 data and one timed
// trainUnit call, so every figure in the bench comes from the same training code as real runs.
import type * as tf from '@tensorflow/tfjs';
import { type ImageSplit, trainUnit } from '../src/engine/index.ts';
import type { ArchitectureName } from '../src/engine/models/index.ts';

export const NUM_CLASSES = 10;
export const IMAGE_SIZE = 32;
const CHANNELS = 3;

/** Deterministic pseudo-random pixels (LCG) and cyclic labels; content does not affect speed. */
export function syntheticSplit(count: number, seed: number): ImageSplit {
  const images = new Float32Array(count * IMAGE_SIZE * IMAGE_SIZE * CHANNELS);
  let s = seed >>> 0;
  for (let i = 0; i < images.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    images[i] = s / 2 ** 32;
  }
  return {
    images,
    labels: Int32Array.from({ length: count }, (_, i) => (i * 7 + seed) % NUM_CLASSES),
    count,
    imageSize: IMAGE_SIZE,
    channels: CHANNELS,
  };
}

export interface TimedTraining {
  /** The trained model; the caller disposes it. */
  model: tf.LayersModel;
  images: number;
  trainSeconds: number;
  imagesPerSec: number;
  finalLoss: number;
}

/**
 * `steps` SGD-momentum steps of `batch` images through trainUnit (one epoch). The test split
 * is a handful of images: trainUnit's final evaluation is outside its trainSeconds anyway.
 */
export async function timedTraining(
  architecture: ArchitectureName,
  batch: number,
  steps: number,
  seed = 1,
): Promise<TimedTraining> {
  const train = syntheticSplit(batch * steps, seed);
  const result = await trainUnit({
    role: 'teacher',
    architecture,
    data: { train, test: syntheticSplit(4, seed + 1) },
    numClasses: NUM_CLASSES,
    epochs: 1,
    batchSize: batch,
    learningRate: 0.01,
    optimizer: 'sgd-momentum',
    seed,
  });
  return {
    model: result.model,
    images: train.count,
    trainSeconds: result.trainSeconds,
    imagesPerSec: result.imagesPerSec,
    finalLoss: result.finalLoss,
  };
}
