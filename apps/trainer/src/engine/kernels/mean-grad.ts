/**
 * The gradient of Mean as one Tile of dy / N, used on the wasm backend.
 *
 * Why: tfjs-core's Mean gradient is (dy · ones(x.shape)) / N, three full-size passes (fill the
 * ones, multiply, divide) and a full-size temporary. The reference CNN's global average pool
 * takes it every step on its largest reduced input ([64, 16, 16, 32] at 32 px). Dividing the
 * small dy first and tiling it (kernels/wasm-tile.ts copies whole slabs) writes the full size
 * once. The values are the same to the bit: dy · 1 is dy, and the one division is the same.
 *
 * Other backends keep tfjs' gradient (it is registered per kernel, not per backend).
 */
import * as tf from '@tensorflow/tfjs';
import type { GradientOverrideConfig } from './wasm-kernel-config.ts';

/** d(mean(x, axes))/dx for upstream gradient dy: dy / N repeated along the reduced axes. */
export function meanGrad(dy: tf.Tensor, shape: readonly number[], axes: readonly number[]) {
  return tf.tidy(() => {
    const reduced = new Set(axes);
    const kept = shape.map((d, i) => (reduced.has(i) ? 1 : d));
    const reps = shape.map((d, i) => (reduced.has(i) ? d : 1));
    const count = axes.reduce((n, a) => n * (shape[a] as number), 1);
    return tf.tile(tf.div(tf.reshape(dy, kept), count), reps);
  });
}

export function makeWasmMeanGradConfig(original: tf.GradConfig): tf.GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0];
      if (tf.getBackend() !== 'wasm' || Array.isArray(dy) || x === undefined) {
        return original.gradFunc(dy, saved, attrs);
      }
      const { axis } = attrs as { axis?: number | number[] };
      const axes = tf.util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape);
      // Repeated axes, other dtypes and empty reduced axes (a Tile to no elements) stay stock.
      if (
        new Set(axes).size !== axes.length ||
        x.dtype !== 'float32' ||
        axes.some((a) => x.shape[a] === 0)
      ) {
        return original.gradFunc(dy, saved, attrs);
      }
      return { x: () => meanGrad(dy, x.shape, axes) };
    },
  };
}

export const meanGradOverride: GradientOverrideConfig = {
  kernelName: 'Mean',
  makeGradConfig: makeWasmMeanGradConfig,
};
