/**
 * The two toy architectures of the demo, as tfjs LayersModels.
 *
 * Both output LOGITS (no softmax): the KD loss needs temperature-scaled
 * logits, and softmax+log computed together (logSoftmax) is numerically safer
 * than log(softmax(...)). Sizes are deliberately tiny so a full epoch on a few
 * hundred 16×16 images takes about a second on the wasm backend.
 */
import * as tf from '@tensorflow/tfjs';

export const architectures = ['toy-cnn-teacher', 'toy-cnn-student'] as const;
export type Architecture = (typeof architectures)[number];

export interface BuildModelOptions {
  imageSize: number;
  numClasses: number;
  /** Seeds every initializer, so the same seed gives the same initial weights. */
  seed: number;
  /** Input channels (default 3 = RGB). */
  channels?: number;
}

/**
 * Each layer gets its own seed: with one shared seed, same-shaped kernels
 * would start identical, which wastes capacity.
 */
function seeds(base: number): () => number {
  let i = 0;
  return () => (base * 1009 + 17 * ++i) >>> 0;
}

function conv(filters: number, nextSeed: () => number, inputShape?: number[]): tf.layers.Layer {
  return tf.layers.conv2d({
    filters,
    kernelSize: 3,
    padding: 'same',
    activation: 'relu',
    // He init suits ReLU: keeps activation variance stable through layers.
    kernelInitializer: tf.initializers.heNormal({ seed: nextSeed() }),
    biasInitializer: 'zeros',
    ...(inputShape === undefined ? {} : { inputShape }),
  });
}

function dense(units: number, nextSeed: () => number, activation?: 'relu'): tf.layers.Layer {
  return tf.layers.dense({
    units,
    kernelInitializer:
      activation === 'relu'
        ? tf.initializers.heNormal({ seed: nextSeed() })
        : tf.initializers.glorotUniform({ seed: nextSeed() }),
    biasInitializer: 'zeros',
    ...(activation === undefined ? {} : { activation }),
  });
}

/** Teacher: conv16 → pool → conv32 → pool → dense64 → logits (~38k params at 16×16). */
function teacher(o: Required<BuildModelOptions>): tf.LayersModel {
  const s = seeds(o.seed);
  return tf.sequential({
    name: 'toy_cnn_teacher',
    layers: [
      conv(16, s, [o.imageSize, o.imageSize, o.channels]),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      conv(32, s),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      dense(64, s, 'relu'),
      dense(o.numClasses, s),
    ],
  });
}

/** Student: a single conv8 → pool → linear logits (~2.3k params at 16×16). */
function student(o: Required<BuildModelOptions>): tf.LayersModel {
  const s = seeds(o.seed);
  return tf.sequential({
    name: 'toy_cnn_student',
    layers: [
      conv(8, s, [o.imageSize, o.imageSize, o.channels]),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      dense(o.numClasses, s),
    ],
  });
}

export function isArchitecture(name: string): name is Architecture {
  return (architectures as readonly string[]).includes(name);
}

export function buildModel(architecture: Architecture, opts: BuildModelOptions): tf.LayersModel {
  const o: Required<BuildModelOptions> = { channels: 3, ...opts };
  if (!Number.isInteger(o.imageSize) || o.imageSize < 4) {
    throw new Error(`buildModel: imageSize must be an integer >= 4, got ${o.imageSize}`);
  }
  if (!Number.isInteger(o.numClasses) || o.numClasses < 2) {
    throw new Error(`buildModel: numClasses must be an integer >= 2, got ${o.numClasses}`);
  }
  switch (architecture) {
    case 'toy-cnn-teacher':
      return teacher(o);
    case 'toy-cnn-student':
      return student(o);
    default:
      throw new Error(
        `buildModel: unknown architecture '${String(architecture)}' (expected ${architectures.join(' | ')})`,
      );
  }
}
