/**
 * The gradient of Tile as one Sum, used on the wasm backend.
 *
 * Why: tfjs-core's Tile gradient adds up one Slice of dy per repetition, so tiling a
 * [1, 1, D] LayerNormalization γ or β up to [B, L, D] costs B·L Slice + Add kernels in the
 * backward pass (tfjs-layers' layerNormalization tiles γ, β and the moments): 21k tiny
 * kernels, most of a ~10 s transformer step at batch 32 × 64 tokens. Element
 * i·n + k of a tiled axis of size n comes from element k, so viewing dy as
 * [reps₀, n₀, reps₁, n₁, …] the gradient is the sum over the reps axes. Size-1 axes are
 * dropped and neighbouring axes of the same kind merged, so the common cases become a
 * leading-axes Sum ([B·L, D] → [D], kernels/wasm-reduce.ts) or an innermost one.
 *
 * Other backends keep tfjs' gradient (it is registered per kernel, not per backend), so
 * their results stay exactly what stock tfjs computes.
 */
import * as tf from '@tensorflow/tfjs';
import type { GradientOverrideConfig } from './wasm-kernel-config.ts';

/** dims and summed axes of the [reps₀, n₀, reps₁, n₁, …] view, simplified as described above. */
export function tileGradView(
  shape: readonly number[],
  reps: readonly number[],
): { dims: number[]; axes: number[] } {
  const dims: number[] = [];
  const summed: boolean[] = [];
  const push = (d: number, sum: boolean) => {
    if (d === 1) return;
    const last = dims.length - 1;
    if (last >= 0 && summed[last] === sum) dims[last] = (dims[last] as number) * d;
    else {
      dims.push(d);
      summed.push(sum);
    }
  };
  for (let i = 0; i < shape.length; i++) {
    push(reps[i] as number, true);
    push(shape[i] as number, false);
  }
  const axes = summed.flatMap((s, i) => (s ? [i] : []));
  return { dims, axes };
}

/** d(tile(x, reps))/dx for upstream gradient dy (shape[i]·reps[i] along axis i). */
export function tileGrad(
  dy: tf.Tensor,
  shape: readonly number[],
  reps: readonly number[],
): tf.Tensor {
  return tf.tidy(() => {
    const { dims, axes } = tileGradView(shape, reps);
    const view = tf.reshape(dy, dims);
    return tf.reshape(axes.length === 0 ? view : tf.sum(view, axes), [...shape]);
  });
}

export function makeWasmTileGradConfig(original: tf.GradConfig): tf.GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0];
      const reps = (attrs as { reps?: number[] }).reps;
      if (
        tf.getBackend() !== 'wasm' ||
        Array.isArray(dy) ||
        x === undefined ||
        reps === undefined ||
        reps.length !== x.rank
      ) {
        return original.gradFunc(dy, saved, attrs);
      }
      return { x: () => tileGrad(dy, x.shape, reps) };
    },
  };
}

export const tileGradOverride: GradientOverrideConfig = {
  kernelName: 'Tile',
  makeGradConfig: makeWasmTileGradConfig,
};
