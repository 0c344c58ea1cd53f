/**
 * ResNet-20/32/56/110 for 32×32 inputs: He et al. (2016), "Deep Residual Learning", §4.2.
 *
 * Depth 6n+2: a 3×3 conv with 16 filters, three stages of n basic blocks with 16/32/64
 * filters (the first block of stages 2 and 3 downsamples with stride 2), global average
 * pool, dense logits. Shortcuts are option A (identity, zero-padded when the shape changes),
 * the variant the paper's CIFAR counts refer to. Convs are He-normal (fan_in) as in the
 * widely used PyTorch port (akamaster/pytorch_resnet_cifar10).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidModelOptionError } from './architecture-errors.ts';
import { add, convBn, convBnRelu, linearLogits, relu } from './conv-bn.ts';
import { imageShape } from './image-input.ts';
import { layerSeeds, type NextSeed } from './layer-seeds.ts';
import { applySymbolic } from './symbolic.ts';
import { ZeroPadShortcut } from './zero-pad-shortcut.layer.ts';

export const resnetCifarDepths = [20, 32, 56, 110] as const;
export type ResNetCifarDepth = (typeof resnetCifarDepths)[number];

export interface ResNetCifarOptions {
  depth: ResNetCifarDepth;
  /** [32, 32, channels]; the stage layout assumes 32×32 (CIFAR, SVHN). */
  inputShape: readonly number[];
  numClasses: number;
  seed: number;
}

function basicBlock(
  x: tf.SymbolicTensor,
  inChannels: number,
  filters: number,
  strides: number,
  nextSeed: NextSeed,
): tf.SymbolicTensor {
  let y = convBnRelu(x, { filters, kernelSize: 3, strides }, nextSeed);
  y = convBn(y, { filters, kernelSize: 3 }, nextSeed);
  const shortcut =
    strides !== 1 || inChannels !== filters
      ? applySymbolic(new ZeroPadShortcut({ outChannels: filters, strides }), x)
      : x;
  return relu(add(y, shortcut));
}

export function buildResNetCifar(o: ResNetCifarOptions): tf.LayersModel {
  const name = `resnet${o.depth}`;
  if (!(resnetCifarDepths as readonly number[]).includes(o.depth)) {
    throw new InvalidModelOptionError(name, 'depth', o.depth, resnetCifarDepths.join(' | '));
  }
  const shape = imageShape(
    name,
    o.inputShape,
    (s) => s.height === 32 && s.width === 32,
    '[32, 32, channels] (CIFAR-style 32×32 input)',
  );
  const n = (o.depth - 2) / 6;
  const nextSeed = layerSeeds(o.seed);
  const input = tf.input({ shape: [shape.height, shape.width, shape.channels] });
  let x = convBnRelu(input, { filters: 16, kernelSize: 3 }, nextSeed);
  let channels = 16;
  for (const [stage, filters] of [16, 32, 64].entries()) {
    for (let b = 0; b < n; b++) {
      const strides = stage > 0 && b === 0 ? 2 : 1;
      x = basicBlock(x, channels, filters, strides, nextSeed);
      channels = filters;
    }
  }
  x = applySymbolic(tf.layers.globalAveragePooling2d({}), x);
  const logits = linearLogits(x, o.numClasses, nextSeed);
  return tf.model({ inputs: input, outputs: logits, name });
}
