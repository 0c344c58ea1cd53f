/**
 * LeNet-5 as commonly used today (LeCun et al. 1998 layout, modern activations):
 * conv5×5 6 → max-pool 2 → conv5×5 16 → max-pool 2 → dense 120 → dense 84 → logits.
 *
 * ReLU and max-pooling replace the paper's scaled tanh and trainable subsampling, and C3 is
 * fully connected (not the paper's partial connection table), as in most reimplementations.
 * Parameters for 32×32×1 and 10 classes: 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706;
 * for 32×32×3 the first conv has 6·(75+1) = 456, total 62,006.
 */
import * as tf from '@tensorflow/tfjs';
import { imageShape } from './image-input.ts';
import { layerSeeds, type NextSeed } from './layer-seeds.ts';
import { applySymbolic } from './symbolic.ts';

export interface LeNet5Options {
  /** [height, width, channels]; at least 14×14 so both valid convs and pools fit. */
  inputShape: readonly number[];
  numClasses: number;
  seed: number;
}

function conv5(x: tf.SymbolicTensor, filters: number, nextSeed: NextSeed): tf.SymbolicTensor {
  return applySymbolic(
    tf.layers.conv2d({
      filters,
      kernelSize: 5,
      padding: 'valid',
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: nextSeed() }),
      biasInitializer: 'zeros',
    }),
    x,
  );
}

function dense(
  x: tf.SymbolicTensor,
  units: number,
  nextSeed: NextSeed,
  activation?: 'relu',
): tf.SymbolicTensor {
  return applySymbolic(
    tf.layers.dense({
      units,
      // He init for ReLU layers; Glorot for the linear logits layer.
      kernelInitializer:
        activation === 'relu'
          ? tf.initializers.heNormal({ seed: nextSeed() })
          : tf.initializers.glorotUniform({ seed: nextSeed() }),
      biasInitializer: 'zeros',
      ...(activation === undefined ? {} : { activation }),
    }),
    x,
  );
}

export function buildLeNet5(o: LeNet5Options): tf.LayersModel {
  // After conv5 (−4), pool (/2), conv5 (−4), pool (/2) every side must still be >= 1.
  const fits = (d: number) => Math.floor((Math.floor((d - 4) / 2) - 4) / 2) >= 1;
  const shape = imageShape(
    'lenet5',
    o.inputShape,
    (s) => fits(s.height) && fits(s.width),
    '[height, width, channels] with height and width >= 14',
  );
  const nextSeed = layerSeeds(o.seed);
  const input = tf.input({ shape: [shape.height, shape.width, shape.channels] });
  let x = conv5(input, 6, nextSeed);
  x = applySymbolic(tf.layers.maxPooling2d({ poolSize: 2 }), x);
  x = conv5(x, 16, nextSeed);
  x = applySymbolic(tf.layers.maxPooling2d({ poolSize: 2 }), x);
  x = applySymbolic(tf.layers.flatten(), x);
  x = dense(x, 120, nextSeed, 'relu');
  x = dense(x, 84, nextSeed, 'relu');
  const logits = dense(x, o.numClasses, nextSeed);
  return tf.model({ inputs: input, outputs: logits, name: 'lenet5' });
}
