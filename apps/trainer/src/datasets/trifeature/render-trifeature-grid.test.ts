import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderTrifeatureGrid } from './render-trifeature-grid.ts';

describe('renderTrifeatureGrid', () => {
  it('encodes a PNG of rows × cols tiles with gaps', async () => {
    const png = await renderTrifeatureGrid({ rows: 2, cols: 3, size: 32, seed: 1, gap: 2 });
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(3 * 32 + 4 * 2);
    expect(meta.height).toBe(2 * 32 + 3 * 2);
    expect(meta.channels).toBe(3);
  });

  it('lays tile k out as sample k (the top-left tile corner is background gray)', async () => {
    const png = await renderTrifeatureGrid({ rows: 1, cols: 2, size: 16, seed: 1, gap: 1 });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
    ];
    expect(at(0, 0)).toEqual([40, 40, 40]);
    expect(at(1, 1)).toEqual([128, 128, 128]);
    expect(at(18, 1)).toEqual([128, 128, 128]);
  });

  it('names the bad option', async () => {
    await expect(renderTrifeatureGrid({ rows: 0, cols: 2, seed: 1 })).rejects.toThrow(
      /option rows/,
    );
  });
});
