/**
 * The reference CNN: a small BN network meant as a quick, honest baseline.
 *
 * (conv3×3 16, no bias)–BN–ReLU ×2 → max-pool 2 → (conv3×3 32, no bias)–BN–ReLU ×2 →
 * global average pool → dense logits. Global pooling keeps the head independent of the
 * input size; 32×32×3 is the intended input. `width` scales the channels (16 and 32 at the
 * default 16), for a narrower student of the same family as its teacher.
 */
import * as tf from '@tensorflow/tfjs';
import { convBnRelu } from './conv-bn.ts';
import { imageShape } from './image-input.ts';
import { layerSeeds } from './layer-seeds.ts';
import { applySymbolic } from './symbolic.ts';

export interface ReferenceCnnOptions {
  /** [height, width, channels]; 32×32×3 intended, any size >= 2×2 works. */
  inputShape: readonly number[];
  numClasses: number;
  seed: number;
  /** Channels of the first two convolutions; the last two have twice as many. Default 16. */
  width?: number;
}

export function buildReferenceCnn(o: ReferenceCnnOptions): tf.LayersModel {
  const shape = imageShape(
    'reference-cnn',
    o.inputShape,
    (s) => s.height >= 2 && s.width >= 2,
    '[height, width, channels] with height and width >= 2',
  );
  const width = o.width ?? 16;
  const nextSeed = layerSeeds(o.seed);
  const input = tf.input({ shape: [shape.height, shape.width, shape.channels] });
  let x = convBnRelu(input, { filters: width, kernelSize: 3 }, nextSeed);
  x = convBnRelu(x, { filters: width, kernelSize: 3 }, nextSeed);
  x = applySymbolic(tf.layers.maxPooling2d({ poolSize: 2 }), x);
  x = convBnRelu(x, { filters: 2 * width, kernelSize: 3 }, nextSeed);
  x = convBnRelu(x, { filters: 2 * width, kernelSize: 3 }, nextSeed);
  x = applySymbolic(tf.layers.globalAveragePooling2d({}), x);
  const logits = applySymbolic(
    tf.layers.dense({
      units: o.numClasses,
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
      biasInitializer: 'zeros',
    }),
    x,
  );
  return tf.model({ inputs: input, outputs: logits, name: 'reference_cnn' });
}
