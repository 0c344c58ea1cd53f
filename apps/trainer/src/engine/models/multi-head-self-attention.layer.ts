/**
 * Multi-head scaled dot-product self-attention (Vaswani et al. 2017, §3.2.2):
 * softmax(Q Kᵀ / sqrt(d_head) + mask) V per head, heads concatenated, then W_o.
 *
 * tfjs-layers 4.x has no attention layer, so this is a registered custom layer. Inputs are
 * [x, tokens]: the token ids give the key padding mask, so padded positions receive no
 * attention (the mask is added as a large negative number before the softmax).
 */
import * as tf from '@tensorflow/tfjs';
import { firstShape, type Shape } from './layer-shape.ts';
import { paddingMask } from './padding-mask.ts';

export interface MultiHeadSelfAttentionConfig {
  numHeads: number;
  /** Seeds of the four projections (Q, K, V, output), in that order. */
  seeds: readonly [number, number, number, number];
  name?: string;
}

const projections = ['query', 'key', 'value', 'output'] as const;

export class MultiHeadSelfAttention extends tf.layers.Layer {
  static readonly className = 'KdlensMultiHeadSelfAttention';
  private readonly numHeads: number;
  private readonly seeds: readonly [number, number, number, number];
  private kernels: tf.LayerVariable[] = [];
  private biases: tf.LayerVariable[] = [];

  constructor(config: MultiHeadSelfAttentionConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    this.numHeads = config.numHeads;
    this.seeds = config.seeds;
  }

  override build(inputShape: Shape | Shape[]): void {
    const dModel = firstShape(inputShape)[2];
    if (typeof dModel !== 'number' || dModel % this.numHeads !== 0) {
      throw new Error(
        `MultiHeadSelfAttention: model width ${dModel} is not divisible by ${this.numHeads} heads`,
      );
    }
    this.kernels = projections.map((p, i) =>
      this.addWeight(
        `${p}_kernel`,
        [dModel, dModel],
        'float32',
        tf.initializers.glorotUniform({ seed: this.seeds[i] }),
      ),
    );
    this.biases = projections.map((p) =>
      this.addWeight(`${p}_bias`, [dModel], 'float32', tf.initializers.zeros()),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return firstShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) {
        throw new Error('MultiHeadSelfAttention expects [x, tokens]');
      }
      const [x, tokens] = inputs as [tf.Tensor3D, tf.Tensor2D];
      const [batch, length, dModel] = x.shape;
      const dHead = dModel / this.numHeads;
      // Dense projection of a [batch, length, d] tensor: matMul needs rank 2, so fold batch×length.
      const project = (i: number): tf.Tensor2D => {
        const kernel = this.kernels[i];
        const bias = this.biases[i];
        if (kernel === undefined || bias === undefined) throw new Error('layer not built');
        return tf.add(tf.matMul(x.reshape([batch * length, dModel]), kernel.read()), bias.read());
      };
      // [batch, heads, length, dHead]
      const heads = (t: tf.Tensor2D) =>
        t.reshape([batch, length, this.numHeads, dHead]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
      const q = heads(project(0));
      const k = heads(project(1));
      const v = heads(project(2));
      const scores = tf.matMul(q, k, false, true).div(Math.sqrt(dHead));
      // -1e9 rather than -Infinity: an all-padding row then gives a uniform softmax, not NaN.
      const maskBias = tf.sub(1, paddingMask(tokens)).mul(-1e9).reshape([batch, 1, 1, length]);
      const weights = tf.softmax(scores.add(maskBias));
      const context = tf
        .matMul(weights, v)
        .transpose([0, 2, 1, 3])
        .reshape([batch * length, dModel]);
      const outKernel = this.kernels[3];
      const outBias = this.biases[3];
      if (outKernel === undefined || outBias === undefined) throw new Error('layer not built');
      return tf
        .add(tf.matMul(context as tf.Tensor2D, outKernel.read()), outBias.read())
        .reshape([batch, length, dModel]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads, seeds: [...this.seeds] };
  }
}

tf.serialization.registerClass(MultiHeadSelfAttention);
