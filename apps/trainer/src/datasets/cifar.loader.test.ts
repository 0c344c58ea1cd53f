import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cifar10ClassNames,
  cifar100CoarseLabelNames,
  cifar100FineLabelNames,
  loadCifarDataset,
} from './cifar.loader.ts';
import type { ImageSplit, LoadedDataset } from './dataset.ts';
import { catchFormatError } from './format-error.testing.ts';

const PLANE = 32 * 32;

/**
 * One record as the publisher writes it: label byte(s), then the R plane, G plane, B plane,
 * each 32×32 row-major. Record `k` of a file has R = k + row, G = k + 100 + col,
 * B = 200 + k, so every value says which plane, row and column it came from.
 */
function record(labels: number[], k: number): Uint8Array {
  const bytes = new Uint8Array(labels.length + 3 * PLANE);
  bytes.set(labels, 0);
  for (let row = 0; row < 32; row++) {
    for (let col = 0; col < 32; col++) {
      const p = row * 32 + col;
      bytes[labels.length + p] = k + row;
      bytes[labels.length + PLANE + p] = k + 100 + col;
      bytes[labels.length + 2 * PLANE + p] = 200 + k;
    }
  }
  return bytes;
}

function file(labelsPerRecord: number[][]): Buffer {
  return Buffer.concat(labelsPerRecord.map((labels, k) => record(labels, k)));
}

/** NHWC value of example n at (row, col), channel c (0 = R, 1 = G, 2 = B). */
function at(split: ImageSplit, n: number, row: number, col: number, c: number) {
  return split.pixels[((n * 32 + row) * 32 + col) * 3 + c];
}

function imageSplits(dataset: LoadedDataset): { train: ImageSplit; test: ImageSplit } {
  const { train, test } = dataset.splits;
  if (train?.kind !== 'image' || test?.kind !== 'image') throw new Error('image splits expected');
  return { train, test };
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdlens-cifar-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Batches 1..5 hold 2, 1, 1, 1, 2 records; the test batch 3. */
async function writeCifar10(folder: string, overrides: Record<string, Buffer> = {}) {
  await mkdir(folder, { recursive: true });
  const files: Record<string, Buffer> = {
    'data_batch_1.bin': file([[6], [9]]),
    'data_batch_2.bin': file([[4]]),
    'data_batch_3.bin': file([[1]]),
    'data_batch_4.bin': file([[1]]),
    'data_batch_5.bin': file([[2], [7]]),
    'test_batch.bin': file([[3], [8], [0]]),
    ...overrides,
  };
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(folder, name), bytes);
}

/** Records are [coarse, fine]: apple (0) is fruit_and_vegetables (4), whale (95) aquatic_mammals (0). */
async function writeCifar100(folder: string, overrides: Record<string, Buffer> = {}) {
  await mkdir(folder, { recursive: true });
  const files: Record<string, Buffer> = {
    'train.bin': file([
      [4, 0],
      [0, 95],
      [19, 99],
    ]),
    'test.bin': file([
      [18, 8],
      [4, 0],
    ]),
    ...overrides,
  };
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(folder, name), bytes);
}

describe('loadCifarDataset, CIFAR-10', () => {
  it('reads the five training batches in order and the test batch', async () => {
    await writeCifar10(join(root, 'cifar-10-batches-bin'));
    const dataset = await loadCifarDataset({ root, name: 'cifar10' });
    const { train, test } = imageSplits(dataset);
    expect(dataset.name).toBe('cifar10');
    expect(dataset.label).toEqual({ name: 'class', values: [...cifar10ClassNames] });
    expect(dataset.attributes).toEqual([]);
    expect([train.count, train.height, train.width, train.channels]).toEqual([7, 32, 32, 3]);
    expect(train.pixels.length).toBe(7 * 3072);
    expect([...train.labels]).toEqual([6, 9, 4, 1, 1, 2, 7]);
    expect([...train.indices]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(train.attributes).toEqual({});
    expect(test.count).toBe(3);
    expect([...test.labels]).toEqual([3, 8, 0]);
    expect(dataset.label.values[test.labels[0] ?? -1]).toBe('cat');
  });

  it('interleaves the R, G, B planes into NHWC', async () => {
    await writeCifar10(root);
    const { train, test } = imageSplits(await loadCifarDataset({ root, name: 'cifar10' }));
    // Test record 2 (k = 2), pixel (row 3, col 5): R = 2 + 3, G = 2 + 100 + 5, B = 202.
    expect(at(test, 2, 3, 5, 0)).toBe(5);
    expect(at(test, 2, 3, 5, 1)).toBe(107);
    expect(at(test, 2, 3, 5, 2)).toBe(202);
    // Byte offset by hand: ((2·32 + 3)·32 + 5)·3 + 1 = 6448.
    expect(test.pixels[6448]).toBe(107);
    // Train example 6 is record k = 1 of data_batch_5: (row 31, col 0) = 32, 101, 201.
    expect([0, 1, 2].map((c) => at(train, 6, 31, 0, c))).toEqual([32, 101, 201]);
    // Train example 0 is record 0 of data_batch_1: (0, 31) = 0, 131, 200.
    expect([0, 1, 2].map((c) => at(train, 0, 0, 31, c))).toEqual([0, 131, 200]);
  });

  it('accepts the inner folder and the parent alike', async () => {
    const inner = join(root, 'cifar-10-batches-bin');
    await writeCifar10(inner);
    const fromParent = imageSplits(await loadCifarDataset({ root, name: 'cifar10' }));
    const fromInner = imageSplits(await loadCifarDataset({ root: inner, name: 'cifar10' }));
    expect(fromInner.train.count).toBe(fromParent.train.count);
    expect([...fromInner.test.labels]).toEqual([...fromParent.test.labels]);
  });

  it('takes class names from batches.meta.txt, ignoring trailing blank lines', async () => {
    await writeCifar10(root);
    const names = ['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
    await writeFile(join(root, 'batches.meta.txt'), `${names.join('\n')}\n\n\n`);
    const dataset = await loadCifarDataset({ root, name: 'cifar10' });
    expect(dataset.label.values).toEqual(names);
  });

  it('rejects a names file with the wrong number of names at the line where it goes wrong', async () => {
    await writeCifar10(root);
    await writeFile(join(root, 'batches.meta.txt'), 'airplane\nautomobile\n');
    const error = await catchFormatError(loadCifarDataset({ root, name: 'cifar10' }));
    expect(error.file).toBe(join(root, 'batches.meta.txt'));
    expect(error.where).toEqual({ line: 3 });
    expect(error.message).toContain('has 2 class names, expected 10');
  });

  it('rejects a truncated record with its byte offset', async () => {
    const whole = file([[3], [8], [0]]);
    await writeCifar10(root, { 'test_batch.bin': whole.subarray(0, whole.length - 1000) });
    const error = await catchFormatError(loadCifarDataset({ root, name: 'cifar10' }));
    expect(error.file).toBe(join(root, 'test_batch.bin'));
    // Records are 1 + 3072 = 3073 bytes; record 2 starts at 6146 and keeps 2073 bytes.
    expect(error.where).toEqual({ byteOffset: 6146 });
    expect(error.message).toBe(
      `${join(root, 'test_batch.bin')} at byte 6146: record 2 is truncated (2073 of 3073 bytes): ` +
        'the file size 8219 is not a multiple of the CIFAR-10 record size',
    );
  });

  it('rejects a label byte out of range with its byte offset', async () => {
    await writeCifar10(root, { 'data_batch_3.bin': file([[1], [10]]) });
    const error = await catchFormatError(loadCifarDataset({ root, name: 'cifar10' }));
    expect(error.file).toBe(join(root, 'data_batch_3.bin'));
    expect(error.where).toEqual({ byteOffset: 3073 });
    expect(error.message).toContain('class label 10 of record 1 is out of range 0..9');
  });

  it('rejects an empty batch and a missing batch', async () => {
    await writeCifar10(root, { 'data_batch_4.bin': Buffer.alloc(0) });
    const empty = await catchFormatError(loadCifarDataset({ root, name: 'cifar10' }));
    expect(empty.file).toBe(join(root, 'data_batch_4.bin'));
    expect(empty.where).toEqual({ byteOffset: 0 });

    await rm(join(root, 'data_batch_4.bin'));
    const missing = await catchFormatError(loadCifarDataset({ root, name: 'cifar10' }));
    expect(missing.file).toBe(join(root, 'data_batch_4.bin'));
    expect(missing.message).toContain('not found');
  });

  it('refuses a batch file or a names file linking outside the root', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'kdlens-cifar-outside-'));
    try {
      await writeCifar10(root);
      await rename(join(root, 'data_batch_2.bin'), join(outside, 'data_batch_2.bin'));
      await symlink(join(outside, 'data_batch_2.bin'), join(root, 'data_batch_2.bin'));
      const batch = await catchFormatError(loadCifarDataset({ root, name: 'cifar10' }));
      expect(batch.file).toBe(join(root, 'data_batch_2.bin'));
      expect(batch.message).toContain("leads outside the data set's folder");
      expect(batch.message).not.toContain(outside);

      await rm(join(root, 'data_batch_2.bin'));
      await rename(join(outside, 'data_batch_2.bin'), join(root, 'data_batch_2.bin'));
      await writeFile(join(outside, 'names.txt'), `${cifar10ClassNames.join('\n')}\n`);
      await symlink(join(outside, 'names.txt'), join(root, 'batches.meta.txt'));
      const names = await catchFormatError(loadCifarDataset({ root, name: 'cifar10' }));
      expect(names.file).toBe(join(root, 'batches.meta.txt'));
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('reports where it looked when neither folder has the files', async () => {
    const error = await catchFormatError(loadCifarDataset({ root, name: 'cifar10' }));
    expect(error.message).toContain(join(root, 'cifar-10-batches-bin'));
  });

  it('refuses a label choice, which only CIFAR-100 has', async () => {
    await writeCifar10(root);
    await expect(loadCifarDataset({ root, name: 'cifar10', label: 'coarse' })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('loadCifarDataset, CIFAR-100', () => {
  it('predicts the fine label by default, with coarse as an attribute', async () => {
    await writeCifar100(join(root, 'cifar-100-binary'));
    const dataset = await loadCifarDataset({ root, name: 'cifar100' });
    const { train, test } = imageSplits(dataset);
    expect(dataset.label.name).toBe('fine');
    expect(dataset.label.values).toHaveLength(100);
    expect(dataset.attributes.map((a) => [a.name, a.values.length])).toEqual([['coarse', 20]]);
    expect([...train.labels]).toEqual([0, 95, 99]);
    expect([...(train.attributes.coarse ?? [])]).toEqual([4, 0, 19]);
    expect([...test.labels]).toEqual([8, 0]);
    expect([...(test.attributes.coarse ?? [])]).toEqual([18, 4]);
    expect(dataset.label.values[95]).toBe('whale');
    expect(dataset.attributes[0]?.values[0]).toBe('aquatic_mammals');
    // Two label bytes shift the planes by one byte against CIFAR-10: check the same pixel.
    expect([0, 1, 2].map((c) => at(train, 2, 3, 5, c))).toEqual([5, 107, 202]);
  });

  it('predicts the coarse label on request, with fine as an attribute', async () => {
    await writeCifar100(root);
    const dataset = await loadCifarDataset({ root, name: 'cifar100', label: 'coarse' });
    const { train } = imageSplits(dataset);
    expect(dataset.label.name).toBe('coarse');
    expect(dataset.label.values[4]).toBe('fruit_and_vegetables');
    expect(dataset.attributes.map((a) => a.name)).toEqual(['fine']);
    expect([...train.labels]).toEqual([4, 0, 19]);
    expect([...(train.attributes.fine ?? [])]).toEqual([0, 95, 99]);
  });

  it('spells the standard names as the publisher meta file does', () => {
    expect(cifar100FineLabelNames).toHaveLength(100);
    expect(new Set(cifar100FineLabelNames).size).toBe(100);
    expect(cifar100CoarseLabelNames).toHaveLength(20);
    // Spot checks against the publisher's fine_label_names.txt / coarse_label_names.txt.
    expect(cifar100FineLabelNames.slice(0, 3)).toEqual(['apple', 'aquarium_fish', 'baby']);
    expect(cifar100FineLabelNames[39]).toBe('keyboard');
    expect(cifar100FineLabelNames[41]).toBe('lawn_mower');
    expect(cifar100FineLabelNames[99]).toBe('worm');
    expect(cifar100CoarseLabelNames[9]).toBe('large_man-made_outdoor_things');
    expect(cifar100CoarseLabelNames[13]).toBe('non-insect_invertebrates');
    expect(cifar100CoarseLabelNames.slice(18)).toEqual(['vehicles_1', 'vehicles_2']);
    // The fine names are alphabetical in the meta file.
    expect([...cifar100FineLabelNames].sort()).toEqual([...cifar100FineLabelNames]);
  });

  it('reads names files when present', async () => {
    await writeCifar100(root);
    const coarse = cifar100CoarseLabelNames.map((name) => name.toUpperCase());
    await writeFile(join(root, 'coarse_label_names.txt'), `${coarse.join('\r\n')}\r\n`);
    const dataset = await loadCifarDataset({ root, name: 'cifar100' });
    expect(dataset.attributes[0]?.values).toEqual(coarse);
    expect(dataset.label.values).toEqual([...cifar100FineLabelNames]);
  });

  it('rejects a fine label out of range at its byte', async () => {
    await writeCifar100(root, {
      'test.bin': file([
        [18, 8],
        [4, 100],
        [0, 0],
      ]),
    });
    const error = await catchFormatError(loadCifarDataset({ root, name: 'cifar100' }));
    expect(error.file).toBe(join(root, 'test.bin'));
    // Record 1 starts at 3074; its fine byte is the second.
    expect(error.where).toEqual({ byteOffset: 3075 });
    expect(error.message).toContain('fine label 100 of record 1 is out of range 0..99');
  });

  it('rejects a coarse label out of range at its byte', async () => {
    await writeCifar100(root, {
      'train.bin': file([
        [4, 0],
        [0, 95],
        [20, 99],
      ]),
    });
    const error = await catchFormatError(loadCifarDataset({ root, name: 'cifar100' }));
    expect(error.file).toBe(join(root, 'train.bin'));
    expect(error.where).toEqual({ byteOffset: 2 * 3074 });
    expect(error.message).toContain('coarse label 20 of record 2 is out of range 0..19');
  });

  it('rejects a file whose size is not a multiple of 3074', async () => {
    // A CIFAR-10 test batch under the CIFAR-100 name: 3073-byte records do not fit 3074.
    await writeCifar100(root, { 'test.bin': file([[3], [8]]) });
    const error = await catchFormatError(loadCifarDataset({ root, name: 'cifar100' }));
    expect(error.file).toBe(join(root, 'test.bin'));
    // 6146 bytes = one 3074-byte record + 3072 bytes of a second.
    expect(error.where).toEqual({ byteOffset: 3074 });
    expect(error.message).toContain('record 1 is truncated (3072 of 3074 bytes)');
  });
});
