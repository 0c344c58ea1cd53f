/**
 * The in-memory splits trainUnit consumes: float images (the toy set, decoded image data sets)
 * or fixed-length token ids (HateXplain, CSV text). One module owns both so the trainer, the
 * evaluator and the batcher agree on the layout, and a model of one kind fed the other kind of
 * data fails on a clear check instead of deep inside tfjs.
 */

import * as tf from '@tensorflow/tfjs';
import { augmentBatch } from '../../datasets/augment.ts';

/** Images as float NHWC. `kind` is optional so splits built before text existed still type-check. */
export interface ImageSplit {
  kind?: 'image';
  /** count × imageSize × imageSize × channels, row-major. */
  images: Float32Array;
  labels: Int32Array;
  /** Optional sensitive attribute, carried along for fairness metrics. */
  colors?: Int32Array;
  count: number;
  imageSize: number;
  /** Channels per pixel (default 3). */
  channels?: number;
  classNames?: string[];
}

/**
 * Token ids, right-padded with 0 to `maxLength` (the field name the data-set loaders use, so a
 * loader's TextSplit can be passed as is).
 */
export interface TextSplit {
  kind: 'text';
  /** count × maxLength token ids; 0 is padding. */
  tokens: Int32Array;
  maxLength: number;
  labels: Int32Array;
  count: number;
  classNames?: string[];
}

export type TrainingSplit = ImageSplit | TextSplit;

export function isTextSplit(split: TrainingSplit): split is TextSplit {
  return split.kind === 'text';
}

/** What one example looks like to a model, without the batch dimension. */
export interface InputLayout {
  kind: 'image' | 'text';
  /** [h, w, c] for images, [maxLength] for text. */
  shape: number[];
  /** Values per example (product of `shape`). */
  size: number;
}

export function inputLayout(split: TrainingSplit): InputLayout {
  if (isTextSplit(split)) {
    return { kind: 'text', shape: [split.maxLength], size: split.maxLength };
  }
  const channels = split.channels ?? 3;
  return {
    kind: 'image',
    shape: [split.imageSize, split.imageSize, channels],
    size: split.imageSize * split.imageSize * channels,
  };
}

/** The split's flat example values (pixels or token ids). */
export function splitValues(split: TrainingSplit): Float32Array | Int32Array {
  return isTextSplit(split) ? split.tokens : split.images;
}

/** Examples start..start+n-1 as one input tensor (token ids stay int32 for the embedding). */
export function sliceInputs(split: TrainingSplit, start: number, n: number): tf.Tensor {
  const { shape, size } = inputLayout(split);
  const values = splitValues(split).subarray(start * size, (start + n) * size);
  return isTextSplit(split)
    ? tf.tensor(values, [n, ...shape], 'int32')
    : tf.tensor(values, [n, ...shape], 'float32');
}

/**
 * Examples order[start..end) copied into one contiguous batch: the input tensor's values and
 * one-hot labels. Returned as arrays so the caller decides when tensors are made (inside tidy).
 */
export function gatherBatch(
  split: TrainingSplit,
  order: Int32Array,
  start: number,
  end: number,
  numClasses: number,
  augment?: { padding: number; flip: boolean; seed: number },
): { inputs: Float32Array | Int32Array; oneHot: Float32Array } {
  const { size } = inputLayout(split);
  const source = splitValues(split);
  const n = end - start;
  const inputs = isTextSplit(split) ? new Int32Array(n * size) : new Float32Array(n * size);
  const oneHot = new Float32Array(n * numClasses);
  for (let i = 0; i < n; i++) {
    const idx = order[start + i] ?? 0;
    inputs.set(source.subarray(idx * size, (idx + 1) * size), i * size);
    oneHot[i * numClasses + (split.labels[idx] ?? 0)] = 1;
  }
  if (augment !== undefined && inputs instanceof Float32Array && !isTextSplit(split)) {
    const channels = split.channels ?? 3;
    const augmented = augmentBatch(inputs, n, split.imageSize, split.imageSize, channels, augment);
    return { inputs: augmented, oneHot };
  }
  return { inputs, oneHot };
}

/** A gathered batch as the model's input tensor. */
export function batchTensor(
  layout: InputLayout,
  inputs: Float32Array | Int32Array,
  n: number,
): tf.Tensor {
  return layout.kind === 'text'
    ? tf.tensor(inputs, [n, ...layout.shape], 'int32')
    : tf.tensor(inputs, [n, ...layout.shape], 'float32');
}
