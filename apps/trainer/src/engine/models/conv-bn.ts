/**
 * Convolution + batch-norm building blocks shared by the ResNets and the reference CNN.
 *
 * Convolutions have no bias: the following BatchNorm's beta makes a bias redundant, which is
 * also why torchvision and He et al. build them with bias=False (and why parameter counts
 * match theirs only without one).
 */
import * as tf from '@tensorflow/tfjs';
import { withFusedTraining } from '../fused/batch-norm.layer.ts';
import { withPrunableGradients } from '../fused/conv2d.layer.ts';
import type { NextSeed } from './layer-seeds.ts';
import { applySymbolic } from './symbolic.ts';

/** He et al. (2015) normal init; torchvision uses fan_out for convs, He et al. CIFAR code fan_in. */
export type HeMode = 'fanIn' | 'fanOut';

export interface ConvSpec {
  filters: number;
  kernelSize: number;
  strides?: number;
  heMode?: HeMode;
}

/**
 * A bias-free conv with PyTorch's symmetric padding of k/2.
 *
 * For stride 1 and odd k, TF 'same' pads the same way. For stride 2 TF 'same' pads only
 * bottom/right on even inputs, which shifts the sampling grid by one pixel relative to
 * PyTorch; an explicit symmetric zero pad + 'valid' reproduces torchvision exactly.
 */
export function conv(x: tf.SymbolicTensor, spec: ConvSpec, nextSeed: NextSeed): tf.SymbolicTensor {
  const strides = spec.strides ?? 1;
  const pad = Math.floor(spec.kernelSize / 2);
  const explicitPad = strides > 1 && pad > 0;
  const input = explicitPad ? applySymbolic(tf.layers.zeroPadding2d({ padding: pad }), x) : x;
  return applySymbolic(
    withPrunableGradients(
      tf.layers.conv2d({
        filters: spec.filters,
        kernelSize: spec.kernelSize,
        strides,
        padding: explicitPad ? 'valid' : 'same',
        useBias: false,
        kernelInitializer: tf.initializers.varianceScaling({
          scale: 2,
          mode: spec.heMode ?? 'fanIn',
          distribution: 'normal',
          seed: nextSeed(),
        }),
      }),
    ),
    input,
  );
}

/**
 * PyTorch BatchNorm2d defaults: momentum 0.1 there is 0.9 here (Keras counts the other way), eps 1e-5.
 * On wasm it trains through the fused kernels (fused/batch-norm.layer.ts): autodiff through
 * tf.moments was ~40% of a training step there.
 */
export function batchNorm(x: tf.SymbolicTensor): tf.SymbolicTensor {
  return applySymbolic(withFusedTraining(batchNormLayer()), x);
}

function batchNormLayer() {
  return tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5 });
}

export function relu(x: tf.SymbolicTensor): tf.SymbolicTensor {
  return applySymbolic(tf.layers.reLU(), x);
}

export function add(a: tf.SymbolicTensor, b: tf.SymbolicTensor): tf.SymbolicTensor {
  return applySymbolic(tf.layers.add(), [a, b]);
}

export function convBn(
  x: tf.SymbolicTensor,
  spec: ConvSpec,
  nextSeed: NextSeed,
): tf.SymbolicTensor {
  return batchNorm(conv(x, spec, nextSeed));
}

/** conv → BN → ReLU; in training on wasm the BN's fused pass applies the ReLU too. */
export function convBnRelu(
  x: tf.SymbolicTensor,
  spec: ConvSpec,
  nextSeed: NextSeed,
): tf.SymbolicTensor {
  const z = conv(x, spec, nextSeed);
  const reluLayer = tf.layers.reLU();
  return applySymbolic(reluLayer, applySymbolic(withFusedTraining(batchNormLayer(), reluLayer), z));
}

/**
 * Logits head initialised like torch.nn.Linear's weight: U(±1/sqrt(fan_in)), which is
 * variance scaling with scale 1/3 (limit = sqrt(3·scale/fan_in)). Bias starts at zero.
 */
export function linearLogits(
  x: tf.SymbolicTensor,
  numClasses: number,
  nextSeed: NextSeed,
): tf.SymbolicTensor {
  return applySymbolic(
    tf.layers.dense({
      units: numClasses,
      kernelInitializer: tf.initializers.varianceScaling({
        scale: 1 / 3,
        mode: 'fanIn',
        distribution: 'uniform',
        seed: nextSeed(),
      }),
      biasInitializer: 'zeros',
    }),
    x,
  );
}
