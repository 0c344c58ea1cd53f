/** A small multilayer perceptron: flatten → ReLU hidden layers → logits. */
import * as tf from '@tensorflow/tfjs';
import { InvalidModelOptionError, UnsupportedInputShapeError } from './architecture-errors.ts';
import { layerSeeds } from './layer-seeds.ts';
import { applySymbolic } from './symbolic.ts';

export const defaultMlpHidden = [256, 128] as const;

export interface MlpOptions {
  /** Any non-empty shape without the batch dimension; it is flattened. */
  inputShape: readonly number[];
  numClasses: number;
  seed: number;
  /** Hidden layer widths (default [256, 128]). */
  hidden?: readonly number[];
}

export function buildMlp(o: MlpOptions): tf.LayersModel {
  if (o.inputShape.length === 0 || !o.inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new UnsupportedInputShapeError(
      'mlp',
      o.inputShape,
      'a non-empty shape of positive integers',
    );
  }
  const hidden = o.hidden ?? defaultMlpHidden;
  if (!hidden.every((u) => Number.isInteger(u) && u > 0)) {
    throw new InvalidModelOptionError(
      'mlp',
      'hidden',
      `[${hidden.join(', ')}]`,
      'positive integers',
    );
  }
  const nextSeed = layerSeeds(o.seed);
  const input = tf.input({ shape: [...o.inputShape] });
  let x = o.inputShape.length > 1 ? applySymbolic(tf.layers.flatten(), input) : input;
  for (const units of hidden) {
    x = applySymbolic(
      tf.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: nextSeed() }),
        biasInitializer: 'zeros',
      }),
      x,
    );
  }
  const logits = applySymbolic(
    tf.layers.dense({
      units: o.numClasses,
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
      biasInitializer: 'zeros',
    }),
    x,
  );
  return tf.model({ inputs: input, outputs: logits, name: 'mlp' });
}
