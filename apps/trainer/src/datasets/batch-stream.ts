import { createRng, permutation } from '../random/rng.ts';
import { augmentBatch } from './augment.ts';
import type { ImageSplit } from './dataset.ts';
import { decodeImages, IMAGE_CHANNELS } from './image-decode.ts';
import type { ImageSplitIndex } from './image-index.ts';

/** One batch of examples: uint8 NHWC pixels with their labels, attributes and stable indices. */
export interface ImageBatch {
  count: number;
  height: number;
  width: number;
  channels: number;
  pixels: Uint8Array;
  labels: Int32Array;
  attributes: Record<string, Int32Array>;
  /** Stable example indices, so predictions line up across runs. */
  indices: Int32Array;
}

/** Where batches come from: a split held in memory, or image files decoded as they are needed. */
export type BatchSource =
  | { kind: 'memory'; split: ImageSplit }
  | { kind: 'files'; index: ImageSplitIndex; size: number; concurrency?: number };

export interface BatchStreamOptions {
  batchSize: number;
  /** Shuffle with this seed (training); omit for the stored order (evaluation). */
  shuffleSeed?: number;
  /** Batches decoded ahead of the consumer (default 2): memory stays at a few batches. */
  prefetch?: number;
  /** Drop a last, smaller batch (default false). */
  dropLast?: boolean;
  /** The CIFAR recipe (random crop with padding, horizontal flip), seeded per batch. */
  augment?: { padding?: number; flip?: boolean; seed: number };
}

function count(source: BatchSource): number {
  return source.kind === 'memory' ? source.split.count : source.index.files.length;
}

/** The order examples are visited in: a seeded permutation, or 0..n−1. */
function visitOrder(n: number, seed: number | undefined): Int32Array {
  return seed === undefined
    ? Int32Array.from({ length: n }, (_, i) => i)
    : permutation(n, createRng(seed));
}

function pick(values: Int32Array, rows: Int32Array): Int32Array {
  return Int32Array.from(rows, (r) => values[r] as number);
}

async function loadBatch(source: BatchSource, rows: Int32Array): Promise<ImageBatch> {
  const labelsOf = source.kind === 'memory' ? source.split : source.index;
  const attributes = Object.fromEntries(
    Object.entries(labelsOf.attributes).map(([name, codes]) => [name, pick(codes, rows)]),
  );
  const common = {
    count: rows.length,
    labels: pick(labelsOf.labels, rows),
    indices: pick(labelsOf.indices, rows),
    attributes,
  };
  if (source.kind === 'files') {
    const files = Array.from(rows, (r) => source.index.files[r] as string);
    const pixels = await decodeImages(files, source.size, source.index.within, {
      concurrency: source.concurrency,
    });
    return { ...common, height: source.size, width: source.size, channels: IMAGE_CHANNELS, pixels };
  }
  const { split } = source;
  const perImage = split.height * split.width * split.channels;
  const pixels = new Uint8Array(rows.length * perImage);
  rows.forEach((r, i) => {
    pixels.set(split.pixels.subarray(r * perImage, (r + 1) * perImage), i * perImage);
  });
  return { ...common, height: split.height, width: split.width, channels: split.channels, pixels };
}

/**
 * Batches of a split, in a seeded shuffled order or the stored one, with up to `prefetch`
 * batches loading ahead of the consumer. Image files are decoded by sharp, whose libvips threads
 * work off the JavaScript thread, so decoding overlaps training; memory is bounded by
 * (prefetch + 1) batches whatever the size of the data set (ImageNet-size folders work).
 */
export async function* imageBatches(
  source: BatchSource,
  options: BatchStreamOptions,
): AsyncGenerator<ImageBatch> {
  const { batchSize, prefetch = 2, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  if (!Number.isInteger(prefetch) || prefetch < 0) {
    throw new RangeError(`prefetch must be a non-negative integer, got ${prefetch}`);
  }
  const order = visitOrder(count(source), options.shuffleSeed);
  const starts: number[] = [];
  for (let s = 0; s < order.length; s += batchSize) {
    if (dropLast && s + batchSize > order.length) break;
    starts.push(s);
  }
  const pending: Promise<ImageBatch>[] = [];
  const request = (b: number) => {
    const start = starts[b];
    if (start === undefined) return;
    const batch = loadBatch(source, order.subarray(start, start + batchSize));
    // Attach a handler now so a failure in a prefetched batch is not an unhandled rejection;
    // the consumer still sees it when it reaches that batch.
    batch.catch(() => {});
    pending.push(batch);
  };
  for (let b = 0; b <= prefetch; b++) request(b);
  for (let b = 0; b < starts.length; b++) {
    const next = pending.shift();
    if (!next) return;
    const batch = await next;
    request(b + prefetch + 1);
    if (options.augment) {
      batch.pixels = augmentBatch(
        batch.pixels,
        batch.count,
        batch.height,
        batch.width,
        batch.channels,
        {
          ...options.augment,
          // One stream per batch, so batch b looks the same however far prefetching ran ahead.
          seed: (options.augment.seed * 1_000_003 + b) >>> 0,
        },
      );
    }
    yield batch;
  }
}
