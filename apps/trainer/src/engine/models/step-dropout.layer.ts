/**
 * Dropout whose mask changes every training step yet is reproducible.
 *
 * Why not tf.layers.dropout({ seed }): tfjs re-seeds its uniform generator from `seed` on every
 * call, so a seeded Dropout layer applies the SAME mask at every step (a fixed pruning, not
 * dropout); unseeded, runs are not reproducible. Here the mask seed is a hash of (layer seed,
 * step): trainUnit sets the step to the global optimizer step before each update, so a resumed
 * run draws exactly the masks of an uninterrupted one. Outside trainUnit the layer counts its
 * own training calls.
 */
import * as tf from '@tensorflow/tfjs';

export interface StepDropoutConfig {
  rate: number;
  seed: number;
  name?: string;
}

/** MurmurHash3's finaliser over (seed, step): nearby steps get unrelated mask seeds. */
function maskSeed(seed: number, step: number): number {
  let x = (Math.imul(seed >>> 0, 0x9e3779b1) ^ step) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export class StepDropout extends tf.layers.Layer {
  static readonly className = 'KdlensStepDropout';
  readonly rate: number;
  readonly seed: number;
  /** Index of the next training call's mask. */
  step = 0;

  constructor(config: StepDropoutConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    if (!(config.rate >= 0 && config.rate < 1)) {
      throw new Error(`StepDropout: rate must be in [0, 1), got ${config.rate}`);
    }
    this.rate = config.rate;
    this.seed = config.seed;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x === undefined) throw new Error('StepDropout expects one input');
    if (kwargs.training !== true || this.rate === 0) return x;
    const seed = maskSeed(this.seed, this.step);
    this.step++;
    return tf.dropout(x, this.rate, undefined, seed);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

tf.serialization.registerClass(StepDropout);

/** Points every StepDropout of `model` at training step `step` (0-based global optimizer step). */
export function setDropoutStep(model: tf.LayersModel, step: number): void {
  for (const layer of model.layers) if (layer instanceof StepDropout) layer.step = step;
}
