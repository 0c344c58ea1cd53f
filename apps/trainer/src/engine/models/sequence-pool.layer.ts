/**
 * Reduces [batch, length, d] to [batch, d]: the mean over non-padding tokens, or the first
 * ([CLS]) position. A plain global average would let padding dilute short sequences.
 * Inputs are [x, tokens].
 */
import * as tf from '@tensorflow/tfjs';
import { firstShape, type Shape } from './layer-shape.ts';
import { paddingMask } from './padding-mask.ts';

export type SequencePooling = 'mean' | 'cls';

export interface SequencePoolConfig {
  pooling: SequencePooling;
  name?: string;
}

export class SequencePool extends tf.layers.Layer {
  static readonly className = 'KdlensSequencePool';
  private readonly pooling: SequencePooling;

  constructor(config: SequencePoolConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    this.pooling = config.pooling;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = firstShape(inputShape);
    return [s[0] ?? null, s[2] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) {
        throw new Error('SequencePool expects [x, tokens]');
      }
      const [x, tokens] = inputs as [tf.Tensor3D, tf.Tensor2D];
      const [batch, , dModel] = x.shape;
      if (this.pooling === 'cls')
        return x.slice([0, 0, 0], [batch, 1, dModel]).reshape([batch, dModel]);
      const mask = paddingMask(tokens).expandDims(2);
      // max(count, 1): an all-padding row pools to zeros instead of 0/0.
      const count = mask.sum(1).maximum(1);
      return x.mul(mask).sum(1).div(count);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), pooling: this.pooling };
  }
}

tf.serialization.registerClass(SequencePool);
