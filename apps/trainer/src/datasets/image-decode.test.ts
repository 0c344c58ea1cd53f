import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfinedFiles } from './confined-files.ts';
import { DatasetFormatError } from './dataset-format-error.ts';
import { decodeImage, decodeImages } from './image-decode.ts';

type Rgb = [number, number, number];

async function solid(file: string, width: number, height: number, [r, g, b]: Rgb) {
  const image = sharp({ create: { width, height, channels: 3, background: { r, g, b } } });
  await (file.endsWith('.png') ? image.png() : image.jpeg({ quality: 95 })).toFile(file);
}

/** Pixel (y, x) of image `n` in an NHWC uint8 buffer of side `size`. */
function pixel(pixels: Uint8Array, size: number, y: number, x: number, n = 0): number[] {
  const at = ((n * size + y) * size + x) * 3;
  return Array.from(pixels.subarray(at, at + 3));
}

function expectNear(actual: number[], expected: number[], tolerance: number) {
  for (const [i, v] of actual.entries()) {
    expect(Math.abs(v - (expected[i] ?? 0))).toBeLessThanOrEqual(tolerance);
  }
}

let dir = '';
let within: ConfinedFiles;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kdlens-decode-'));
  within = await ConfinedFiles.of(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('decodeImage', () => {
  it('decodes a red JPEG to ~[255, 0, 0] at the centre after resize and crop', async () => {
    const file = join(dir, 'red.jpg');
    await solid(file, 20, 12, [255, 0, 0]);
    const pixels = await decodeImage(file, 8, within);
    expect(pixels.length).toBe(8 * 8 * 3);
    // JPEG's chroma quantisation moves a saturated red by a few levels at most.
    expectNear(pixel(pixels, 8, 4, 4), [255, 0, 0], 8);
  });

  it('lays pixels out row-major RGB (an exact PNG gradient at its own size)', async () => {
    const size = 16;
    const raw = Buffer.alloc(size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        raw[(y * size + x) * 3] = x * 16; // red grows to the right
        raw[(y * size + x) * 3 + 1] = y * 16; // green grows downwards
        raw[(y * size + x) * 3 + 2] = 7;
      }
    }
    const file = join(dir, 'gradient.png');
    await sharp(raw, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toFile(file);
    const pixels = await decodeImage(file, size, within);
    expect(pixel(pixels, size, 3, 5)).toEqual([80, 48, 7]);
    expect(pixel(pixels, size, 15, 0)).toEqual([0, 240, 7]);
  });

  it('scales the shorter side and keeps the centre of the longer one', async () => {
    // 30×10: blue | green | red thirds. Scaled to height 5 the crop keeps columns 5..9 of 15,
    // exactly the green third.
    const raw = Buffer.alloc(30 * 10 * 3);
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 30; x++) raw[(y * 30 + x) * 3 + (x < 10 ? 2 : x < 20 ? 1 : 0)] = 255;
    }
    const file = join(dir, 'thirds.png');
    await sharp(raw, { raw: { width: 30, height: 10, channels: 3 } })
      .png()
      .toFile(file);
    const pixels = await decodeImage(file, 5, within);
    expectNear(pixel(pixels, 5, 2, 2), [0, 255, 0], 2);
    expectNear(pixel(pixels, 5, 0, 2), [0, 255, 0], 2);
  });

  it('expands grayscale to three channels and drops alpha', async () => {
    const grayFile = join(dir, 'gray.png');
    await sharp(Buffer.alloc(12 * 12, 90), { raw: { width: 12, height: 12, channels: 1 } })
      .png()
      .toFile(grayFile);
    expect(pixel(await decodeImage(grayFile, 6, within), 6, 3, 3)).toEqual([90, 90, 90]);

    const alphaFile = join(dir, 'alpha.png');
    await sharp({
      create: {
        width: 10,
        height: 10,
        channels: 4,
        background: { r: 0, g: 0, b: 255, alpha: 0.5 },
      },
    })
      .png()
      .toFile(alphaFile);
    const pixels = await decodeImage(alphaFile, 4, within);
    expect(pixels.length).toBe(4 * 4 * 3);
    expect(pixel(pixels, 4, 2, 2)).toEqual([0, 0, 255]);
  });

  it('throws DatasetFormatError naming a file that is not an image, or is missing', async () => {
    const bad = join(dir, 'not-an-image.jpg');
    await writeFile(bad, 'hello');
    await expect(decodeImage(bad, 8, within)).rejects.toThrow(DatasetFormatError);
    await expect(decodeImage(bad, 8, within)).rejects.toMatchObject({
      file: bad,
      where: undefined,
    });
    const missing = join(dir, 'missing.png');
    await expect(decodeImage(missing, 8, within)).rejects.toMatchObject({ file: missing });
  });

  it('refuses an image whose link leads outside the data folder, without reading it', async () => {
    const outer = await mkdtemp(join(tmpdir(), 'kdlens-decode-outer-'));
    try {
      const data = join(outer, 'data');
      await mkdir(data);
      const secret = join(outer, 'secret.png');
      await solid(secret, 8, 8, [9, 9, 9]);
      const link = join(data, 'face.png');
      await symlink(secret, link);
      const error = await decodeImage(link, 4, await ConfinedFiles.of(data)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DatasetFormatError);
      expect(error).toMatchObject({ file: link, where: undefined });
      expect((error as Error).message).toBe(
        `${link}: leads outside the data set's folder ${data} (a symbolic link?); a data set's files must stay inside its folder, so it is not read`,
      );
      // The same file decodes when the folder holding it is the data folder.
      expect((await decodeImage(link, 4, await ConfinedFiles.of(outer))).length).toBe(48);
    } finally {
      await rm(outer, { recursive: true, force: true });
    }
  });

  it('rejects a truncated JPEG', async () => {
    const whole = join(dir, 'whole.jpg');
    await solid(whole, 40, 40, [10, 200, 30]);
    const cut = join(dir, 'cut.jpg');
    const bytes = await sharp(whole).toBuffer();
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(decodeImage(cut, 8, within)).rejects.toMatchObject({
      name: 'DatasetFormatError',
      file: cut,
    });
  });
});

describe('decodeImages', () => {
  it('fills one NHWC buffer in file order and reports progress', async () => {
    const colours: Rgb[] = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [255, 255, 0],
      [0, 255, 255],
    ];
    const files = await Promise.all(
      colours.map(async (colour, i) => {
        const file = join(dir, `c${i}.png`);
        await solid(file, 9 + i, 14 - i, colour);
        return file;
      }),
    );
    const progress: number[] = [];
    const pixels = await decodeImages(files, 6, within, {
      concurrency: 2,
      onProgress: (done, total) => {
        expect(total).toBe(5);
        progress.push(done);
      },
    });
    expect(pixels.length).toBe(5 * 6 * 6 * 3);
    for (const [n, colour] of colours.entries()) expect(pixel(pixels, 6, 3, 3, n)).toEqual(colour);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });

  it('rejects with the first undecodable file', async () => {
    const good = join(dir, 'good.png');
    await solid(good, 8, 8, [1, 2, 3]);
    const bad = join(dir, 'bad.png');
    await writeFile(bad, 'not a png');
    await expect(decodeImages([good, bad, good], 4, within)).rejects.toMatchObject({ file: bad });
  });

  it('returns an empty buffer for no files', async () => {
    expect((await decodeImages([], 8, within)).length).toBe(0);
  });
});
