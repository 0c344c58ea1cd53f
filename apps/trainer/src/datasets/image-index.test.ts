import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ConfinedFiles } from './confined-files.ts';
import { type ImageSplitIndex, limitImageSplitIndex, toImageSplit } from './image-index.ts';

const index: ImageSplitIndex = {
  files: ['a.png', 'b.png', 'c.png'],
  labels: Int32Array.from([2, 0, 1]),
  attributes: { group: Int32Array.from([1, 1, 0]) },
  indices: Int32Array.from([10, 11, 12]),
  within: await ConfinedFiles.of(tmpdir()),
};

describe('limitImageSplitIndex', () => {
  it('keeps the first examples of every array, or all without a limit', () => {
    const limited = limitImageSplitIndex(index, 2);
    expect(limited.files).toEqual(['a.png', 'b.png']);
    expect(Array.from(limited.labels)).toEqual([2, 0]);
    expect(Array.from(limited.attributes.group ?? [])).toEqual([1, 1]);
    expect(Array.from(limited.indices)).toEqual([10, 11]);
    expect(limited.within).toBe(index.within);
    expect(limitImageSplitIndex(index)).toBe(index);
    expect(limitImageSplitIndex(index, 5)).toBe(index);
  });
});

describe('toImageSplit', () => {
  it('decodes the files and carries the codes over', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kdlens-index-'));
    try {
      const file = join(dir, 'p.png');
      await sharp({
        create: { width: 5, height: 7, channels: 3, background: { r: 1, g: 2, b: 3 } },
      })
        .png()
        .toFile(file);
      const split = await toImageSplit(
        { ...index, files: [file, file, file], within: await ConfinedFiles.of(dir) },
        'val',
        4,
      );
      expect(split).toMatchObject({
        kind: 'image',
        split: 'val',
        count: 3,
        height: 4,
        width: 4,
        channels: 3,
      });
      expect(split.pixels.length).toBe(3 * 4 * 4 * 3);
      expect(Array.from(split.pixels.subarray(0, 3))).toEqual([1, 2, 3]);
      expect(split.labels).toBe(index.labels);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
