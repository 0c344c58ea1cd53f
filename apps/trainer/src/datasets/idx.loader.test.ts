import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageSplit } from './dataset.ts';
import { catchFormatError } from './format-error.testing.ts';
import { loadIdxDataset } from './idx.loader.ts';

const SIDE = 28;
const IMAGE_BYTES = SIDE * SIDE;

/** An IDX images file as LeCun documents it: 0x00000803, count, rows, cols (uint32 BE), pixels. */
function idxImages(images: Uint8Array[], rows = SIDE, cols = SIDE, magic = 0x00000803): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(magic, 0);
  header.writeUInt32BE(images.length, 4);
  header.writeUInt32BE(rows, 8);
  header.writeUInt32BE(cols, 12);
  return Buffer.concat([header, ...images]);
}

/** An IDX labels file: 0x00000801, count (uint32 BE), one byte per label. */
function idxLabels(labels: number[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x00000801, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Uint8Array.from(labels)]);
}

/** Image k: pixel (row r, col c) = (k * 50 + r + c) mod 256, so every value is predictable. */
function image(k: number): Uint8Array {
  const pixels = new Uint8Array(IMAGE_BYTES);
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) pixels[r * SIDE + c] = (k * 50 + r + c) % 256;
  }
  return pixels;
}

function pixel(split: ImageSplit | undefined, example: number, row: number, col: number) {
  return split?.pixels[(example * SIDE + row) * SIDE + col];
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdlens-idx-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Train: 3 examples (gzipped, as published); test: 2 examples (plain, as some mirrors unpack). */
async function writeFixture(
  overrides: Partial<
    Record<'trainImages' | 'trainLabels' | 'testImages' | 'testLabels', Buffer>
  > = {},
) {
  const files = {
    trainImages: idxImages([image(0), image(1), image(2)]),
    trainLabels: idxLabels([9, 0, 3]),
    testImages: idxImages([image(3), image(4)]),
    testLabels: idxLabels([1, 7]),
    ...overrides,
  };
  await writeFile(join(root, 'train-images-idx3-ubyte.gz'), gzipSync(files.trainImages));
  await writeFile(join(root, 'train-labels-idx1-ubyte.gz'), gzipSync(files.trainLabels));
  await writeFile(join(root, 't10k-images-idx3-ubyte'), files.testImages);
  await writeFile(join(root, 't10k-labels-idx1-ubyte'), files.testLabels);
}

describe('loadIdxDataset', () => {
  it('reads gzipped and plain files into train/test splits', async () => {
    await writeFixture();
    const dataset = await loadIdxDataset({ root, name: 'fashion-mnist' });
    expect(dataset.name).toBe('fashion-mnist');
    expect(dataset.attributes).toEqual([]);
    expect(Object.keys(dataset.splits).sort()).toEqual(['test', 'train']);
    const train = dataset.splits.train;
    const test = dataset.splits.test;
    if (train?.kind !== 'image' || test?.kind !== 'image') throw new Error('image splits expected');
    expect(train.split).toBe('train');
    expect(test.split).toBe('test');
    expect([train.count, train.height, train.width, train.channels]).toEqual([3, 28, 28, 1]);
    expect(train.pixels.length).toBe(3 * 784);
    expect([...train.labels]).toEqual([9, 0, 3]);
    expect([...train.indices]).toEqual([0, 1, 2]);
    expect(test.count).toBe(2);
    expect([...test.labels]).toEqual([1, 7]);
    expect([...test.indices]).toEqual([0, 1]);
    expect(dataset.label.values[train.labels[0] ?? -1]).toBe('Ankle boot');
    // Record 2 at (row 3, col 5): 2·50 + 3 + 5 = 108; test record 1 is image(4): 200 + 27 + 27 = 254.
    expect(pixel(train, 2, 3, 5)).toBe(108);
    expect(pixel(test, 1, 27, 27)).toBe(254);
    expect(pixel(test, 0, 0, 0)).toBe(150);
  });

  it('names the classes of each data set', async () => {
    await writeFixture();
    const mnist = await loadIdxDataset({ root, name: 'mnist' });
    expect(mnist.label.values).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const fashion = await loadIdxDataset({ root, name: 'fashion-mnist' });
    expect(fashion.label.values).toEqual([
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ]);
  });

  it('tells gzip from plain by the magic bytes, not the file name', async () => {
    await writeFixture();
    // Swap: plain bytes under the .gz name, gzipped bytes under the plain name.
    await rm(join(root, 'train-images-idx3-ubyte.gz'));
    await writeFile(
      join(root, 'train-images-idx3-ubyte.gz'),
      idxImages([image(0), image(1), image(2)]),
    );
    await rm(join(root, 't10k-labels-idx1-ubyte'));
    await writeFile(join(root, 't10k-labels-idx1-ubyte'), gzipSync(idxLabels([1, 7])));
    const dataset = await loadIdxDataset({ root, name: 'mnist' });
    const train = dataset.splits.train;
    if (train?.kind !== 'image') throw new Error('image split expected');
    expect(pixel(train, 1, 3, 5)).toBe(58);
    expect([...(dataset.splits.test?.labels ?? [])]).toEqual([1, 7]);
  });

  it('reports a missing file with both names it looked for', async () => {
    await writeFixture();
    await rm(join(root, 't10k-labels-idx1-ubyte'));
    const error = await catchFormatError(loadIdxDataset({ root, name: 'mnist' }));
    expect(error.file).toBe(join(root, 't10k-labels-idx1-ubyte'));
    expect(error.message).toContain('expected t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz');
  });

  it('rejects a wrong magic number at byte 0', async () => {
    // A labels file where the images should be, e.g. swapped downloads.
    await writeFixture({ testImages: idxLabels([1, 7]) });
    const error = await catchFormatError(loadIdxDataset({ root, name: 'mnist' }));
    expect(error.file).toBe(join(root, 't10k-images-idx3-ubyte'));
    expect(error.where).toEqual({ byteOffset: 0 });
    expect(error.message).toBe(
      `${join(root, 't10k-images-idx3-ubyte')} at byte 0: magic number 0x00000801 (IDX labels), expected 0x00000803 (IDX images)`,
    );
  });

  it('rejects truncated image data at the start of the cut record', async () => {
    const whole = idxImages([image(3), image(4)]);
    await writeFixture({ testImages: whole.subarray(0, whole.length - 100) });
    const error = await catchFormatError(loadIdxDataset({ root, name: 'mnist' }));
    expect(error.file).toBe(join(root, 't10k-images-idx3-ubyte'));
    // Header 16 bytes + one whole image of 784: image 1 starts at 800 and has 684 of 784 bytes.
    expect(error.where).toEqual({ byteOffset: 800 });
    expect(error.message).toContain('image 1 is truncated (684 of 784 bytes)');
  });

  it('reports offsets in the gunzipped data for gzipped files', async () => {
    const whole = idxImages([image(0), image(1), image(2)]);
    await writeFixture({ trainImages: whole.subarray(0, 16 + 2 * IMAGE_BYTES) });
    const error = await catchFormatError(loadIdxDataset({ root, name: 'mnist' }));
    expect(error.file).toBe(join(root, 'train-images-idx3-ubyte.gz'));
    // 16 + 2 · 784 = 1584: the data ends exactly where image 2 should begin.
    expect(error.where).toEqual({ byteOffset: 1584 });
    expect(error.message).toContain('data ends before image 2; the header declares 3');
    expect(error.message).toContain('(offset in the gunzipped data)');
  });

  it('rejects a truncated gzip stream at its end', async () => {
    await writeFixture();
    const gz = gzipSync(idxLabels([9, 0, 3]));
    const cut = gz.subarray(0, gz.length - 6);
    await writeFile(join(root, 'train-labels-idx1-ubyte.gz'), cut);
    const error = await catchFormatError(loadIdxDataset({ root, name: 'mnist' }));
    expect(error.file).toBe(join(root, 'train-labels-idx1-ubyte.gz'));
    expect(error.where).toEqual({ byteOffset: cut.length });
    expect(error.message).toContain('gzip data is truncated');
  });

  it('rejects corrupt gzip data, naming the file', async () => {
    await writeFixture();
    const gz = Buffer.from(gzipSync(idxLabels([9, 0, 3])));
    // The CRC-32 trailer no longer matches the data.
    gz[gz.length - 8] = (gz[gz.length - 8] ?? 0) ^ 0xff;
    await writeFile(join(root, 'train-labels-idx1-ubyte.gz'), gz);
    const error = await catchFormatError(loadIdxDataset({ root, name: 'mnist' }));
    expect(error.file).toBe(join(root, 'train-labels-idx1-ubyte.gz'));
    expect(error.message).toContain('gzip data is corrupt');
  });

  it('prefers the plain file when both plain and gzipped exist', async () => {
    await writeFixture();
    await writeFile(join(root, 't10k-labels-idx1-ubyte.gz'), gzipSync(idxLabels([5, 5])));
    const dataset = await loadIdxDataset({ root, name: 'mnist' });
    expect([...(dataset.splits.test?.labels ?? [])]).toEqual([1, 7]);
  });

  it('rejects bytes after the declared records', async () => {
    await writeFixture({ testLabels: Buffer.concat([idxLabels([1, 7]), Buffer.from([0, 0])]) });
    const error = await catchFormatError(loadIdxDataset({ root, name: 'mnist' }));
    expect(error.file).toBe(join(root, 't10k-labels-idx1-ubyte'));
    // 8-byte header + 2 labels.
    expect(error.where).toEqual({ byteOffset: 10 });
    expect(error.message).toContain('2 bytes follow the 2 labels the header declares');
  });

  it('rejects an image/label count mismatch at the labels count field', async () => {
    await writeFixture({ testLabels: idxLabels([1, 7, 2]) });
    const error = await catchFormatError(loadIdxDataset({ root, name: 'mnist' }));
    expect(error.file).toBe(join(root, 't10k-labels-idx1-ubyte'));
    expect(error.where).toEqual({ byteOffset: 4 });
    expect(error.message).toContain(
      'declares 3 labels but t10k-images-idx3-ubyte declares 2 images',
    );
  });

  it('rejects a label out of range at its byte', async () => {
    await writeFixture({ testLabels: idxLabels([1, 10]) });
    const error = await catchFormatError(loadIdxDataset({ root, name: 'mnist' }));
    expect(error.file).toBe(join(root, 't10k-labels-idx1-ubyte'));
    // 8-byte header + example 1.
    expect(error.where).toEqual({ byteOffset: 9 });
    expect(error.message).toContain('label 10 of example 1 is out of range 0..9');
  });

  it('rejects images that are not 28×28', async () => {
    const small = new Uint8Array(16 * 16);
    await writeFixture({ testImages: idxImages([small, small], 16, 16) });
    const error = await catchFormatError(loadIdxDataset({ root, name: 'mnist' }));
    expect(error.where).toEqual({ byteOffset: 8 });
    expect(error.message).toContain('images have 16 rows, expected 28');
  });

  it('rejects a file too short for its header', async () => {
    await writeFixture({ testImages: idxImages([]).subarray(0, 10) });
    const error = await catchFormatError(loadIdxDataset({ root, name: 'mnist' }));
    expect(error.where).toEqual({ byteOffset: 10 });
    expect(error.message).toContain('header is truncated: 16 bytes expected');
  });
});

const fashionRoot = '/usr/share/datasets/fashion-mnist';

describe('loadIdxDataset on the real Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  it.runIf(existsSync(fashionRoot))('has 60,000 / 10,000 examples, balanced classes', async () => {
    const dataset = await loadIdxDataset({ root: fashionRoot, name: 'fashion-mnist' });
    const train = dataset.splits.train;
    const test = dataset.splits.test;
    if (train?.kind !== 'image' || test?.kind !== 'image') throw new Error('image splits expected');
    expect(train.count).toBe(60_000);
    expect(test.count).toBe(10_000);
    expect(train.pixels.length).toBe(60_000 * 784);
    // The publisher's README: 6,000 training and 1,000 test examples per class.
    const perClass = (labels: Int32Array) => {
      const counts = new Array<number>(10).fill(0);
      for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
      return counts;
    };
    expect(perClass(train.labels)).toEqual(new Array(10).fill(6_000));
    expect(perClass(test.labels)).toEqual(new Array(10).fill(1_000));
    expect(train.labels[0]).toBe(9);
    expect(dataset.label.values[9]).toBe('Ankle boot');
    expect(train.indices[59_999]).toBe(59_999);
  });
});
