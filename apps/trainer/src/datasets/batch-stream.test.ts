import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { imageBatches } from './batch-stream.ts';
import { ConfinedFiles } from './confined-files.ts';
import type { ImageSplit } from './dataset.ts';
import { DatasetFormatError } from './dataset-format-error.ts';

/** 10 images of 2×2×1 whose every pixel is the image number, labels i % 3, indices 100 + i. */
const split: ImageSplit = {
  kind: 'image',
  split: 'train',
  pixels: Uint8Array.from({ length: 10 * 4 }, (_, p) => Math.floor(p / 4)),
  count: 10,
  height: 2,
  width: 2,
  channels: 1,
  labels: Int32Array.from({ length: 10 }, (_, i) => i % 3),
  attributes: { group: Int32Array.from({ length: 10 }, (_, i) => i % 2) },
  indices: Int32Array.from({ length: 10 }, (_, i) => 100 + i),
};

async function collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of gen) out.push(item);
  return out;
}

describe('imageBatches from memory', () => {
  it('keeps the stored order without a shuffle seed, with a short last batch', async () => {
    const batches = await collect(imageBatches({ kind: 'memory', split }, { batchSize: 4 }));
    expect(batches.map((b) => Array.from(b.indices))).toEqual([
      [100, 101, 102, 103],
      [104, 105, 106, 107],
      [108, 109],
    ]);
    const last = batches[2];
    expect(Array.from(last?.pixels ?? [])).toEqual([8, 8, 8, 8, 9, 9, 9, 9]);
    expect(Array.from(last?.labels ?? [])).toEqual([2, 0]);
    expect(Array.from(last?.attributes.group ?? [])).toEqual([0, 1]);
  });

  it('shuffles reproducibly, visits every example once, and keeps rows together', async () => {
    const run = () =>
      collect(
        imageBatches({ kind: 'memory', split }, { batchSize: 3, shuffleSeed: 7, dropLast: true }),
      );
    const [a, b] = [await run(), await run()];
    expect(a.map((x) => Array.from(x.indices))).toEqual(b.map((x) => Array.from(x.indices)));
    expect(a).toHaveLength(3);
    const seen = a.flatMap((x) => Array.from(x.indices));
    expect(new Set(seen).size).toBe(9);
    expect(seen).not.toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108]);
    for (const batch of a) {
      batch.indices.forEach((index, i) => {
        const image = index - 100;
        expect(batch.labels[i]).toBe(image % 3);
        expect(batch.pixels[i * 4]).toBe(image);
      });
    }
    const other = await collect(
      imageBatches({ kind: 'memory', split }, { batchSize: 3, shuffleSeed: 8 }),
    );
    expect(other.map((x) => Array.from(x.indices))).not.toEqual(
      a.map((x) => Array.from(x.indices)),
    );
  });

  it('augments each batch the same way whatever the prefetch depth', async () => {
    const run = (prefetch: number) =>
      collect(
        imageBatches(
          { kind: 'memory', split },
          { batchSize: 5, prefetch, augment: { padding: 1, seed: 3 } },
        ),
      );
    const [shallow, deep] = [await run(0), await run(4)];
    expect(shallow.map((b) => Array.from(b.pixels))).toEqual(deep.map((b) => Array.from(b.pixels)));
  });
});

describe('imageBatches from image files', () => {
  let dir = '';
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('decodes files batch by batch, and reports a broken file when its batch is reached', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-stream-'));
    const files: string[] = [];
    for (let i = 0; i < 5; i++) {
      const file = path.join(dir, `${i}.png`);
      await sharp({
        create: { width: 6, height: 6, channels: 3, background: { r: i * 50, g: 0, b: 0 } },
      })
        .png()
        .toFile(file);
      files.push(file);
    }
    const index = {
      files,
      labels: Int32Array.from([0, 1, 0, 1, 0]),
      attributes: {},
      indices: Int32Array.from([0, 1, 2, 3, 4]),
      within: await ConfinedFiles.of(dir),
    };
    const batches = await collect(
      imageBatches({ kind: 'files', index, size: 4 }, { batchSize: 2 }),
    );
    expect(batches.map((b) => b.count)).toEqual([2, 2, 1]);
    // Image 3 is pure red 150: its first pixel in batch 1, slot 1.
    expect(Array.from(batches[1]?.pixels.subarray(4 * 4 * 3, 4 * 4 * 3 + 3) ?? [])).toEqual([
      150, 0, 0,
    ]);

    const broken = { ...index, files: [...files.slice(0, 4), path.join(dir, 'missing.png')] };
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const batch of imageBatches(
          { kind: 'files', index: broken, size: 4 },
          { batchSize: 2 },
        )) {
          seen.push(batch.count);
        }
      })(),
    ).rejects.toBeInstanceOf(DatasetFormatError);
    expect(seen).toEqual([2, 2]);
  });
});
