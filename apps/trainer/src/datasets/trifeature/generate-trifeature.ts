/**
 * Generates a batch of Trifeature images with their label and the other two attributes. Image
 * `firstIndex + i` depends only on (seed, index, correlation, size), so batches can be generated
 * lazily or in parallel and still agree with one big batch.
 */
import type { ImageSplit, SplitName } from '../dataset.ts';
import { renderTrifeatureInto } from './render-trifeature.ts';
import { sampleTrifeatureScene } from './sample-trifeature-scene.ts';
import { type TrifeatureAttributeName, trifeatureAttributeNames } from './trifeature-names.ts';
import {
  checkAttributeName,
  checkCorrelation,
  checkCount,
  checkIndexRange,
  checkSeed,
  checkSize,
} from './validate-trifeature-options.ts';

export interface GenerateTrifeatureOptions {
  count: number;
  /** Image side in pixels, ≥ 8 (default 32). */
  size?: number;
  seed: number;
  /** Probability an image takes its shape's own colour (shape i → colour i); default 0. */
  correlation?: number;
  /** The attribute returned as the label (default 'shape'); the other two go to `attributes`. */
  label?: TrifeatureAttributeName;
  /** Stable index of the first image (default 0); image i of the batch is index firstIndex + i. */
  firstIndex?: number;
  /** Split name written into the result (default 'train'). */
  split?: SplitName;
  /** Samples per pixel side; default by size (see `defaultSupersample`). */
  supersample?: number;
}

export function generateTrifeature(options: GenerateTrifeatureOptions): ImageSplit {
  const { count, seed } = options;
  const size = options.size ?? 32;
  const correlation = options.correlation ?? 0;
  const label = checkAttributeName('label', options.label ?? 'shape');
  const firstIndex = options.firstIndex ?? 0;
  checkCount('count', count);
  checkSize(size);
  checkSeed(seed);
  checkCorrelation('correlation', correlation);
  checkIndexRange('firstIndex', firstIndex, count);

  const imageBytes = size * size * 3;
  const pixels = new Uint8Array(count * imageBytes);
  const codes: Record<TrifeatureAttributeName, Int32Array> = {
    shape: new Int32Array(count),
    texture: new Int32Array(count),
    color: new Int32Array(count),
  };
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const index = firstIndex + i;
    const scene = sampleTrifeatureScene(seed, index, correlation);
    renderTrifeatureInto(
      { ...scene, size, supersample: options.supersample },
      pixels,
      i * imageBytes,
    );
    codes.shape[i] = scene.shape;
    codes.texture[i] = scene.texture;
    codes.color[i] = scene.color;
    indices[i] = index;
  }

  const attributes: Record<string, Int32Array> = {};
  for (const name of trifeatureAttributeNames) {
    if (name !== label) attributes[name] = codes[name];
  }
  return {
    kind: 'image',
    split: options.split ?? 'train',
    pixels,
    count,
    height: size,
    width: size,
    channels: 3,
    labels: codes[label],
    attributes,
    indices,
  };
}
