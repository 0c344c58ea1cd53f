/**
 * An image data set before decoding: which file is which example, with its label and attribute
 * codes. Loaders build this from the publisher's index files; it is cheap enough to count and
 * inspect a data set (CelebA's 200k faces, ImageNet's 1.3M) without decoding a single pixel.
 */
import type { ConfinedFiles } from './confined-files.ts';
import {
  type Attribute,
  type ImageSplit,
  type LoadedDataset,
  type SplitName,
  splitNames,
} from './dataset.ts';
import { type DecodeImagesOptions, decodeImages, IMAGE_CHANNELS } from './image-decode.ts';

/** One split's examples, index-aligned: example i is `files[i]` with `labels[i]`, ... */
export interface ImageSplitIndex {
  /** Absolute (or caller-relative) paths of the image files. */
  files: string[];
  labels: Int32Array;
  attributes: Record<string, Int32Array>;
  /** Stable example index within the data set (see each loader for what it counts). */
  indices: Int32Array;
  /** The data set's folder: decoding refuses a file whose real path leaves it. */
  within: ConfinedFiles;
}

/** A whole image data set before decoding, shaped like LoadedDataset. */
export interface ImageDatasetIndex {
  name: string;
  label: Attribute;
  attributes: Attribute[];
  splits: Partial<Record<SplitName, ImageSplitIndex>>;
}

/** Options shared by every loader that decodes an ImageDatasetIndex. */
export interface DecodeIndexOptions extends DecodeImagesOptions {
  /** Keep at most this many examples per split (the first ones, in index order). */
  limit?: number;
}

/** The first `limit` examples of a split (all of them when `limit` is undefined). */
export function limitImageSplitIndex(index: ImageSplitIndex, limit?: number): ImageSplitIndex {
  if (limit === undefined || limit >= index.files.length) return index;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  }
  const attributes: Record<string, Int32Array> = {};
  for (const [name, codes] of Object.entries(index.attributes)) {
    attributes[name] = codes.slice(0, limit);
  }
  return {
    files: index.files.slice(0, limit),
    labels: index.labels.slice(0, limit),
    attributes,
    indices: index.indices.slice(0, limit),
    within: index.within,
  };
}

/** Decodes a split's files to `size × size` RGB (see decodeImage) and attaches its codes. */
export async function toImageSplit(
  index: ImageSplitIndex,
  split: SplitName,
  size: number,
  options: DecodeImagesOptions = {},
): Promise<ImageSplit> {
  const pixels = await decodeImages(index.files, size, index.within, options);
  return {
    kind: 'image',
    split,
    pixels,
    count: index.files.length,
    height: size,
    width: size,
    channels: IMAGE_CHANNELS,
    labels: index.labels,
    attributes: index.attributes,
    indices: index.indices,
  };
}

/** Decodes every split of an index (one after another, each with bounded concurrency). */
export async function decodeImageDataset(
  index: ImageDatasetIndex,
  size: number,
  options: DecodeIndexOptions = {},
): Promise<LoadedDataset> {
  const { limit, ...decodeOptions } = options;
  const splits: LoadedDataset['splits'] = {};
  for (const split of splitNames) {
    const splitIndex = index.splits[split];
    if (splitIndex === undefined) continue;
    splits[split] = await toImageSplit(
      limitImageSplitIndex(splitIndex, limit),
      split,
      size,
      decodeOptions,
    );
  }
  return { name: index.name, label: index.label, attributes: index.attributes, splits };
}
