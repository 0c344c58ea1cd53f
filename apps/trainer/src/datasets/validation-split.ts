/**
 * Carving a validation split out of the training split, for data sets whose publisher ships only
 * train and test (CIFAR, MNIST). Stratified by label so every class keeps its share in both parts,
 * seeded so every arm of a study validates on the same examples, and each example keeps its
 * original training index so predictions can be traced back to the publisher's record.
 */
import { createRandom, type Random } from '@kdlens/metrics';
import type { ImageSplit } from './dataset.ts';

export interface ValidationSplitOptions {
  /** Share of the training examples that go to validation, strictly between 0 and 1. */
  fraction: number;
  /** Integer seed of the shuffle. */
  seed: number;
}

/**
 * Returns new splits (the input is not modified); both keep the input's example order, so
 * indices stay ascending. The validation size is round(fraction × count), shared among classes
 * by largest remainder (Hamilton's method), ties between classes broken at random.
 */
export function carveValidation(
  train: ImageSplit,
  options: ValidationSplitOptions,
): { train: ImageSplit; val: ImageSplit } {
  const { fraction, seed } = options;
  if (train.split !== 'train') {
    // Carving from test would leak test examples into model selection.
    throw new RangeError(`train: expected the 'train' split, got '${train.split}'`);
  }
  if (!(fraction > 0 && fraction < 1)) {
    throw new RangeError(`fraction: expected a number strictly between 0 and 1, got ${fraction}`);
  }
  const valCount = Math.round(fraction * train.count);
  if (valCount === 0 || valCount === train.count) {
    throw new RangeError(
      `fraction: ${fraction} of ${train.count} examples leaves ${valCount === 0 ? 'no validation' : 'no training'} examples`,
    );
  }
  const random = createRandom(seed);

  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < train.count; i++) {
    const label = train.labels[i] ?? 0;
    const members = byLabel.get(label);
    if (members === undefined) byLabel.set(label, [i]);
    else members.push(i);
  }
  // Sorted, so the draws do not depend on which label happens to come first in the file.
  const groups = [...byLabel.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, members]) => shuffle(members, random));

  const quotas = allocate(
    groups.map((members) => members.length),
    fraction,
    valCount,
    random,
  );
  const inVal = new Uint8Array(train.count);
  groups.forEach((members, g) => {
    const quota = quotas[g] ?? 0;
    for (let k = 0; k < quota; k++) inVal[members[k] ?? 0] = 1;
  });

  const valPositions: number[] = [];
  const trainPositions: number[] = [];
  for (let i = 0; i < train.count; i++) (inVal[i] ? valPositions : trainPositions).push(i);
  return { train: subset(train, trainPositions, 'train'), val: subset(train, valPositions, 'val') };
}

/** Fisher–Yates, in place. */
function shuffle(items: number[], random: Random): number[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const item = items[i] ?? 0;
    items[i] = items[j] ?? 0;
    items[j] = item;
  }
  return items;
}

/** Per-class validation counts: floor(fraction × size), then the leftover to the largest remainders. */
function allocate(sizes: number[], fraction: number, total: number, random: Random): number[] {
  const quotas = sizes.map((size) => Math.floor(fraction * size));
  const order = sizes.map((size, g) => ({
    g,
    remainder: fraction * size - (quotas[g] ?? 0),
    tie: random.next(),
  }));
  order.sort((a, b) => b.remainder - a.remainder || a.tie - b.tie);
  let leftover = total - quotas.reduce((sum, quota) => sum + quota, 0);
  for (const { g } of order) {
    if (leftover <= 0) break;
    if ((quotas[g] ?? 0) < (sizes[g] ?? 0)) {
      quotas[g] = (quotas[g] ?? 0) + 1;
      leftover--;
    }
  }
  return quotas;
}

function subset(source: ImageSplit, positions: number[], split: 'train' | 'val'): ImageSplit {
  const imageBytes = source.height * source.width * source.channels;
  const pixels = new Uint8Array(positions.length * imageBytes);
  for (let k = 0; k < positions.length; k++) {
    const from = (positions[k] ?? 0) * imageBytes;
    pixels.set(source.pixels.subarray(from, from + imageBytes), k * imageBytes);
  }
  const pick = (column: Int32Array): Int32Array => {
    const picked = new Int32Array(positions.length);
    for (let k = 0; k < positions.length; k++) picked[k] = column[positions[k] ?? 0] ?? 0;
    return picked;
  };
  const attributes: Record<string, Int32Array> = {};
  for (const [name, column] of Object.entries(source.attributes)) attributes[name] = pick(column);
  return {
    kind: 'image',
    split,
    pixels,
    count: positions.length,
    height: source.height,
    width: source.width,
    channels: source.channels,
    labels: pick(source.labels),
    attributes,
    indices: pick(source.indices),
  };
}
