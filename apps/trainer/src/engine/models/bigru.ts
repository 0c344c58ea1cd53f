/**
 * Bidirectional GRU classifier: embedding (id 0 = padding, masked) → bidirectional GRU
 * (final states of both directions, concatenated) → dense logits.
 * Input: [batch, maxLength] int32 token ids, right-padded with 0.
 */
import * as tf from '@tensorflow/tfjs';
import { layerSeeds, type NextSeed } from './layer-seeds.ts';
import { seededOrthogonal } from './orthogonal.ts';
import { applySymbolic } from './symbolic.ts';
import { textInput } from './text-input.ts';

export interface BiGruOptions {
  /** [maxLength]. */
  inputShape: readonly number[];
  numClasses: number;
  seed: number;
  vocabSize: number;
  embeddingDim?: number;
  /** GRU units per direction. */
  units?: number;
}

export const biGruDefaults = { embeddingDim: 64, units: 64 } as const;

function gru(units: number, nextSeed: NextSeed): tf.layers.Layer {
  return tf.layers.gru({
    units,
    kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
    // Placeholder: the orthogonal recurrent kernels are installed by seedRecurrentWeights.
    recurrentInitializer: 'zeros',
    biasInitializer: 'zeros',
  });
}

export function buildBiGru(o: BiGruOptions): tf.LayersModel {
  const { maxLength, vocabSize } = textInput('bigru', o.inputShape, o.vocabSize);
  const c = { ...biGruDefaults, ...o };
  const nextSeed = layerSeeds(o.seed);
  const tokens = tf.input({ shape: [maxLength], dtype: 'int32' });
  const embedded = applySymbolic(
    tf.layers.embedding({
      inputDim: vocabSize,
      outputDim: c.embeddingDim,
      maskZero: true,
      embeddingsInitializer: tf.initializers.randomUniform({
        minval: -0.05,
        maxval: 0.05,
        seed: nextSeed(),
      }),
    }),
    tokens,
  );
  const forward = gru(c.units, nextSeed);
  const bidirectional = tf.layers.bidirectional({ layer: forward as tf.RNN, mergeMode: 'concat' });
  const encoded = applySymbolic(bidirectional, embedded);
  const logits = applySymbolic(
    tf.layers.dense({
      units: o.numClasses,
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
      biasInitializer: 'zeros',
    }),
    encoded,
  );
  const model = tf.model({ inputs: tokens, outputs: logits, name: 'bigru' });
  seedRecurrentWeights(bidirectional, c.units, c.embeddingDim, nextSeed);
  return model;
}

/**
 * Installs the initial GRU weights that tfjs cannot seed per direction. tf.layers.bidirectional
 * clones the forward GRU from its config, seeds included, so both directions would start
 * identical; the backward kernel is redrawn with a fresh seed here. Recurrent kernels are
 * orthogonal (Keras' default for GRUs), each with its own seed. getWeights() lists forward
 * then backward, each as [kernel, recurrent_kernel, bias].
 */
function seedRecurrentWeights(
  bidirectional: tf.layers.Layer,
  units: number,
  inputDim: number,
  nextSeed: NextSeed,
): void {
  const [fwKernel, , fwBias, , , bwBias] = bidirectional.getWeights();
  if (fwKernel === undefined || fwBias === undefined || bwBias === undefined) {
    throw new Error('bigru: unexpected Bidirectional(GRU) weight layout');
  }
  const fresh = [
    seededOrthogonal(units, 3 * units, nextSeed()),
    tf.initializers.glorotUniform({ seed: nextSeed() }).apply([inputDim, 3 * units]),
    seededOrthogonal(units, 3 * units, nextSeed()),
  ] as const;
  bidirectional.setWeights([fwKernel, fresh[0], fwBias, fresh[1], fresh[2], bwBias]);
  // setWeights shares the data by reference count, so these handles can go.
  tf.dispose([...fresh]);
}
