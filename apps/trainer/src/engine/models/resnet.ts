/**
 * ResNet-18/34 (basic blocks) and ResNet-50 (bottleneck), laid out as torchvision builds them
 * (torchvision.models.resnet; ResNet-50 is "v1.5": the stride sits on the 3×3 conv).
 *
 * Stem by input size:
 * - 224: 7×7/2 conv 64 + 3×3/2 max-pool (ImageNet, as torchvision);
 * - 64: 3×3/1 conv 64, no pool (Tiny ImageNet practice: the ImageNet stem would shrink 64 px
 *   to 16 px before the first stage and leave 2×2 maps at the end);
 * - 32: 3×3/1 conv 64, no pool (CIFAR practice, e.g. kuangliu/pytorch-cifar).
 * Shortcuts are projections (1×1 conv + BN) whenever the shape changes, as torchvision.
 * Convs use He normal with fan_out, BN gamma 1 / beta 0, like torchvision's init.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidModelOptionError } from './architecture-errors.ts';
import { add, convBn, convBnRelu, linearLogits, relu } from './conv-bn.ts';
import { imageShape } from './image-input.ts';
import { layerSeeds, type NextSeed } from './layer-seeds.ts';
import { applySymbolic } from './symbolic.ts';

export const resnetDepths = [18, 34, 50] as const;
export type ResNetDepth = (typeof resnetDepths)[number];
export const resnetInputSizes = [224, 64, 32] as const;

export interface ResNetOptions {
  depth: ResNetDepth;
  /** [size, size, channels] with size 224, 64 or 32; the size picks the stem. */
  inputShape: readonly number[];
  numClasses: number;
  seed: number;
}

const blocksPerStage: Record<ResNetDepth, readonly [number, number, number, number]> = {
  18: [2, 2, 2, 2],
  34: [3, 4, 6, 3],
  50: [3, 4, 6, 3],
};

type Block = (
  x: tf.SymbolicTensor,
  inChannels: number,
  width: number,
  strides: number,
  nextSeed: NextSeed,
) => { y: tf.SymbolicTensor; outChannels: number };

function projection(
  x: tf.SymbolicTensor,
  inChannels: number,
  outChannels: number,
  strides: number,
  nextSeed: NextSeed,
): tf.SymbolicTensor {
  if (strides === 1 && inChannels === outChannels) return x;
  return convBn(x, { filters: outChannels, kernelSize: 1, strides, heMode: 'fanOut' }, nextSeed);
}

const basicBlock: Block = (x, inChannels, width, strides, nextSeed) => {
  let y = convBnRelu(x, { filters: width, kernelSize: 3, strides, heMode: 'fanOut' }, nextSeed);
  y = convBn(y, { filters: width, kernelSize: 3, heMode: 'fanOut' }, nextSeed);
  const shortcut = projection(x, inChannels, width, strides, nextSeed);
  return { y: relu(add(y, shortcut)), outChannels: width };
};

/** Bottleneck with expansion 4; stride on the 3×3 (torchvision v1.5). */
const bottleneckBlock: Block = (x, inChannels, width, strides, nextSeed) => {
  const outChannels = width * 4;
  let y = convBnRelu(x, { filters: width, kernelSize: 1, heMode: 'fanOut' }, nextSeed);
  y = convBnRelu(y, { filters: width, kernelSize: 3, strides, heMode: 'fanOut' }, nextSeed);
  y = convBn(y, { filters: outChannels, kernelSize: 1, heMode: 'fanOut' }, nextSeed);
  const shortcut = projection(x, inChannels, outChannels, strides, nextSeed);
  return { y: relu(add(y, shortcut)), outChannels };
};

export function buildResNet(o: ResNetOptions): tf.LayersModel {
  const name = `resnet${o.depth}`;
  const stages = blocksPerStage[o.depth];
  if (stages === undefined) {
    throw new InvalidModelOptionError(name, 'depth', o.depth, resnetDepths.join(' | '));
  }
  const shape = imageShape(
    name,
    o.inputShape,
    (s) => s.height === s.width && (resnetInputSizes as readonly number[]).includes(s.height),
    `[size, size, channels] with size in {${resnetInputSizes.join(', ')}}`,
  );
  const nextSeed = layerSeeds(o.seed);
  const input = tf.input({ shape: [shape.height, shape.width, shape.channels] });
  let x: tf.SymbolicTensor;
  if (shape.height === 224) {
    x = convBnRelu(input, { filters: 64, kernelSize: 7, strides: 2, heMode: 'fanOut' }, nextSeed);
    // Zero padding before the max-pool equals PyTorch's -inf padding here: inputs are post-ReLU (>= 0).
    x = applySymbolic(tf.layers.zeroPadding2d({ padding: 1 }), x);
    x = applySymbolic(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid' }), x);
  } else {
    x = convBnRelu(input, { filters: 64, kernelSize: 3, heMode: 'fanOut' }, nextSeed);
  }
  const block = o.depth === 50 ? bottleneckBlock : basicBlock;
  let channels = 64;
  for (const [stage, count] of stages.entries()) {
    const width = 64 * 2 ** stage;
    for (let b = 0; b < count; b++) {
      const strides = stage > 0 && b === 0 ? 2 : 1;
      const out = block(x, channels, width, strides, nextSeed);
      x = out.y;
      channels = out.outChannels;
    }
  }
  x = applySymbolic(tf.layers.globalAveragePooling2d({}), x);
  const logits = linearLogits(x, o.numClasses, nextSeed);
  return tf.model({ inputs: input, outputs: logits, name });
}
