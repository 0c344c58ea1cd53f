/**
 * Learned absolute position embeddings (as BERT): adds a trainable [maxLength, d] table to
 * the token embeddings. A custom layer because tfjs-layers has no "add a weight" layer.
 */
import * as tf from '@tensorflow/tfjs';
import { firstShape, type Shape } from './layer-shape.ts';

export interface PositionEmbeddingConfig {
  seed: number;
  name?: string;
}

export class PositionEmbedding extends tf.layers.Layer {
  static readonly className = 'KdlensPositionEmbedding';
  private readonly seed: number;
  private table: tf.LayerVariable | undefined;

  constructor(config: PositionEmbeddingConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    this.seed = config.seed;
  }

  override build(inputShape: Shape | Shape[]): void {
    const [, length, dModel] = firstShape(inputShape);
    if (typeof length !== 'number' || typeof dModel !== 'number') {
      throw new Error('PositionEmbedding needs a fixed [length, dModel] input');
    }
    // BERT's N(0, 0.02) initialisation.
    this.table = this.addWeight(
      'positions',
      [length, dModel],
      'float32',
      tf.initializers.truncatedNormal({ stddev: 0.02, seed: this.seed }),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return firstShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x === undefined || this.table === undefined)
        throw new Error('PositionEmbedding not built');
      return tf.add(x, this.table.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed };
  }
}

tf.serialization.registerClass(PositionEmbedding);
