import { describe, expect, it } from 'vitest';
import { augmentBatch } from './augment.ts';

/** Random bytes from a fixed LCG, independent of the generator under test. */
function noiseBatch(length: number): Uint8Array {
  const pixels = new Uint8Array(length);
  let state = 12345;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    pixels[i] = state >>> 24;
  }
  return pixels;
}

/**
 * The definition, pixel by pixel: output (y, x) shows the input at (y + dy, x' + dx), where
 * x' = width − 1 − x when mirrored, and 0 where that lies outside the image (the zero padding).
 */
function reference(
  image: Uint8Array,
  height: number,
  width: number,
  channels: number,
  dy: number,
  dx: number,
  mirror: boolean,
): Uint8Array {
  const out = new Uint8Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sy = y + dy;
      const sx = (mirror ? width - 1 - x : x) + dx;
      if (sy < 0 || sy >= height || sx < 0 || sx >= width) continue;
      for (let c = 0; c < channels; c++) {
        out[(y * width + x) * channels + c] = image[(sy * width + sx) * channels + c] ?? -1;
      }
    }
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/** Which (dy, dx, mirror) within ±search produced `out` from `image`. */
function findTransform(
  image: Uint8Array,
  out: Uint8Array,
  shape: { height: number; width: number; channels: number },
  search: number,
): { dy: number; dx: number; mirror: boolean }[] {
  const found: { dy: number; dx: number; mirror: boolean }[] = [];
  for (let dy = -search; dy <= search; dy++) {
    for (let dx = -search; dx <= search; dx++) {
      for (const mirror of [false, true]) {
        const expected = reference(
          image,
          shape.height,
          shape.width,
          shape.channels,
          dy,
          dx,
          mirror,
        );
        if (sameBytes(expected, out)) found.push({ dy, dx, mirror });
      }
    }
  }
  return found;
}

const image = (batch: Uint8Array, n: number, bytes: number) =>
  batch.subarray(n * bytes, (n + 1) * bytes);

describe('augmentBatch', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const pixels = noiseBatch(16 * 32 * 32 * 3);
    const a = augmentBatch(pixels, 16, 32, 32, 3, { seed: 7 });
    const b = augmentBatch(pixels, 16, 32, 32, 3, { seed: 7 });
    const c = augmentBatch(pixels, 16, 32, 32, 3, { seed: 8 });
    expect(sameBytes(a, b)).toBe(true);
    expect(sameBytes(a, c)).toBe(false);
  });

  it('is the identity with padding 0 and no flip, and leaves the input alone', () => {
    const pixels = noiseBatch(8 * 32 * 32 * 3);
    const copy = pixels.slice();
    const out = augmentBatch(pixels, 8, 32, 32, 3, { padding: 0, flip: false, seed: 1 });
    expect(out).not.toBe(pixels);
    expect(sameBytes(out, pixels)).toBe(true);
    expect(sameBytes(pixels, copy)).toBe(true);
  });

  it('flips to the exact mirror image, about half the time', () => {
    const count = 64;
    const bytes = 32 * 32 * 3;
    const pixels = noiseBatch(count * bytes);
    const out = augmentBatch(pixels, count, 32, 32, 3, { padding: 0, seed: 3 });
    let mirrored = 0;
    for (let n = 0; n < count; n++) {
      const original = image(pixels, n, bytes);
      const result = image(out, n, bytes);
      const mirror = reference(original, 32, 32, 3, 0, 0, true);
      const isMirror = sameBytes(result, mirror);
      expect(isMirror || sameBytes(result, original)).toBe(true);
      if (isMirror) mirrored++;
    }
    // Binomial(64, 1/2): mean 32, sd 4; 16..48 is ±4 sd.
    expect(mirrored).toBeGreaterThanOrEqual(16);
    expect(mirrored).toBeLessThanOrEqual(48);
  });

  it('keeps channel order within a pixel when mirroring', () => {
    // One 1×2 RGB image: [(1, 2, 3), (4, 5, 6)]; mirrored it is [(4, 5, 6), (1, 2, 3)].
    const pixels = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const outcomes = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      outcomes.add([...augmentBatch(pixels, 1, 1, 2, 3, { padding: 0, seed })].join(','));
    }
    expect([...outcomes].sort()).toEqual(['1,2,3,4,5,6', '4,5,6,1,2,3']);
  });

  it('crops within the padding, reaching every offset, with zeros where the padding shows', () => {
    const shape = { height: 8, width: 8, channels: 3 };
    const bytes = 8 * 8 * 3;
    const count = 400;
    const padding = 2;
    // Each byte of the image unique and non-zero (zero is what the padding shows): 1..192.
    const single = Uint8Array.from({ length: bytes }, (_, i) => 1 + i);
    const pixels = new Uint8Array(count * bytes);
    for (let n = 0; n < count; n++) pixels.set(single, n * bytes);
    const out = augmentBatch(pixels, count, 8, 8, 3, { padding, seed: 11 });
    const seen = new Set<string>();
    let mirrored = 0;
    for (let n = 0; n < count; n++) {
      // Search beyond the padding, so an offset outside it would be found (and fail).
      const found = findTransform(single, image(out, n, bytes), shape, padding + 2);
      expect(found).toHaveLength(1);
      const [t] = found;
      if (t === undefined) continue;
      expect(Math.abs(t.dy)).toBeLessThanOrEqual(padding);
      expect(Math.abs(t.dx)).toBeLessThanOrEqual(padding);
      seen.add(`${t.dy},${t.dx}`);
      if (t.mirror) mirrored++;
    }
    // 25 offsets, 400 draws: each is missed with probability (24/25)^400 ≈ 8e-8.
    expect(seen.size).toBe(25);
    expect(mirrored).toBeGreaterThan(150);
    expect(mirrored).toBeLessThan(250);
  });

  it('draws the same crops whether or not flipping is on', () => {
    const bytes = 16 * 16 * 3;
    const pixels = noiseBatch(32 * bytes);
    const withFlip = augmentBatch(pixels, 32, 16, 16, 3, { seed: 5 });
    const withoutFlip = augmentBatch(pixels, 32, 16, 16, 3, { flip: false, seed: 5 });
    for (let n = 0; n < 32; n++) {
      const a = image(withFlip, n, bytes);
      const b = image(withoutFlip, n, bytes);
      const bMirrored = reference(b, 16, 16, 3, 0, 0, true);
      expect(sameBytes(a, b) || sameBytes(a, bMirrored)).toBe(true);
    }
  });

  it('rejects pixels that do not match the shape', () => {
    expect(() => augmentBatch(new Uint8Array(10), 1, 2, 2, 3, { seed: 1 })).toThrow(
      'pixels: expected 1×2×2×3 = 12 bytes, got 10',
    );
    expect(() => augmentBatch(new Uint8Array(12), 1, 2, 2, 3, { padding: -1, seed: 1 })).toThrow(
      'padding: expected a non-negative integer, got -1',
    );
  });
});
