/**
 * He et al. (2016) option-A shortcut: subsample by 2 and zero-pad the new channels.
 *
 * Parameter-free, so ResNet-20/32/56/110 match the published 0.27M/0.46M/0.85M/1.7M. tfjs
 * layers have no lambda layer, hence a small registered custom layer. Subsampling is a 1×1
 * average pool with stride 2 (picks x[:, ::2, ::2, :], like the common PyTorch port) because
 * tfjs has no gradient for stridedSlice; avgPool and pad have gradients on every backend.
 * The extra channels are split half before, half after the existing ones, as in that port.
 */
import * as tf from '@tensorflow/tfjs';
import { firstShape, type Shape } from './layer-shape.ts';

export interface ZeroPadShortcutConfig {
  outChannels: number;
  strides: number;
  name?: string;
}

export class ZeroPadShortcut extends tf.layers.Layer {
  static readonly className = 'KdlensZeroPadShortcut';
  private readonly outChannels: number;
  private readonly strides: number;

  constructor(config: ZeroPadShortcutConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    this.outChannels = config.outChannels;
    this.strides = config.strides;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = firstShape(inputShape);
    const down = (d: number | null) => (d === null ? null : Math.ceil(d / this.strides));
    return [s[0] ?? null, down(s[1] ?? null), down(s[2] ?? null), this.outChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D | undefined;
      if (x === undefined) throw new Error('ZeroPadShortcut: no input');
      const sub = this.strides === 1 ? x : tf.avgPool(x, 1, this.strides, 'valid');
      const extra = this.outChannels - (x.shape[3] ?? 0);
      if (extra < 0) throw new Error('ZeroPadShortcut: outChannels is smaller than the input');
      const before = Math.floor(extra / 2);
      return tf.pad(sub, [
        [0, 0],
        [0, 0],
        [0, 0],
        [before, extra - before],
      ]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), outChannels: this.outChannels, strides: this.strides };
  }
}

tf.serialization.registerClass(ZeroPadShortcut);
