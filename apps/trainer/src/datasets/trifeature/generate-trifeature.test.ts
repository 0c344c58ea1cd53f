import { describe, expect, it } from 'vitest';
import { colorRgbs } from './colors.ts';
import { generateTrifeature } from './generate-trifeature.ts';
import { sampleTrifeatureScene } from './sample-trifeature-scene.ts';
import { trifeatureNames } from './trifeature-names.ts';
import { TrifeatureOptionError } from './trifeature-option-error.ts';

function image(pixels: Uint8Array, size: number, i: number): Uint8Array {
  return pixels.subarray(i * size * size * 3, (i + 1) * size * size * 3);
}

function shareEqual(a: Int32Array, b: Int32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

describe('generateTrifeature', () => {
  it('returns an image split with the label and the other two attributes', () => {
    const batch = generateTrifeature({ count: 5, seed: 1, label: 'color', firstIndex: 10 });
    expect(batch).toMatchObject({
      kind: 'image',
      split: 'train',
      count: 5,
      height: 32,
      width: 32,
      channels: 3,
    });
    expect(batch.pixels.length).toBe(5 * 32 * 32 * 3);
    expect(Object.keys(batch.attributes).sort()).toEqual(['shape', 'texture']);
    expect([...batch.indices]).toEqual([10, 11, 12, 13, 14]);
    for (let i = 0; i < 5; i++) {
      const scene = sampleTrifeatureScene(1, 10 + i, 0);
      expect(batch.labels[i]).toBe(scene.color);
      expect(batch.attributes.shape?.[i]).toBe(scene.shape);
      expect(batch.attributes.texture?.[i]).toBe(scene.texture);
    }
  });

  it('is deterministic: same seed, same bytes; image i is the same alone or in a batch', () => {
    const a = generateTrifeature({ count: 10, seed: 42, correlation: 0.5 });
    const b = generateTrifeature({ count: 10, seed: 42, correlation: 0.5 });
    expect(b.pixels).toEqual(a.pixels);
    expect(b.labels).toEqual(a.labels);
    for (const i of [0, 3, 9]) {
      const alone = generateTrifeature({ count: 1, seed: 42, correlation: 0.5, firstIndex: i });
      expect(alone.pixels).toEqual(image(a.pixels, 32, i));
      expect(alone.labels[0]).toBe(a.labels[i]);
      expect(alone.attributes.color?.[0]).toBe(a.attributes.color?.[i]);
    }
  });

  it('gives different images for different seeds', () => {
    const a = generateTrifeature({ count: 10, seed: 1 });
    const b = generateTrifeature({ count: 10, seed: 2 });
    for (let i = 0; i < 10; i++) expect(image(b.pixels, 32, i)).not.toEqual(image(a.pixels, 32, i));
  });

  it('leaves the corners gray and shows the recorded colour at the centre of solid shapes', () => {
    const size = 64;
    const batch = generateTrifeature({ count: 300, size, seed: 3, label: 'texture' });
    let solid = 0;
    for (let i = 0; i < batch.count; i++) {
      const pixels = image(batch.pixels, size, i);
      for (const o of [0, (size - 1) * 3, (size * size - 1) * 3]) {
        expect([pixels[o], pixels[o + 1], pixels[o + 2]]).toEqual([128, 128, 128]);
      }
      if (batch.labels[i] !== 0) continue;
      solid++;
      // Every shape contains its own centre; the nearest palette colour there is the attribute.
      const scene = sampleTrifeatureScene(3, i, 0);
      const o = (Math.floor(scene.cy * size) * size + Math.floor(scene.cx * size)) * 3;
      const rgb = [pixels[o] ?? 0, pixels[o + 1] ?? 0, pixels[o + 2] ?? 0];
      const distances = colorRgbs.map((c) =>
        c.reduce((sum, v, k) => sum + (v - (rgb[k] ?? 0)) ** 2, 0),
      );
      expect(distances.indexOf(Math.min(...distances))).toBe(batch.attributes.color?.[i]);
    }
    expect(solid).toBeGreaterThan(10);
  });

  it('links colour to shape with the requested correlation (binomial bounds)', () => {
    // P(colour = shape) = c + (1 − c)/10. Over n = 2000: c = 0.9 → mean 1820, sd 12.8;
    // c = 0 → mean 200, sd 13.4. Bounds at ±5 sd.
    const linked = generateTrifeature({ count: 2000, size: 8, seed: 11, correlation: 0.9 });
    const free = generateTrifeature({ count: 2000, size: 8, seed: 11, correlation: 0 });
    const colour = (split: typeof linked) => split.attributes.color ?? new Int32Array();
    const linkedShare = shareEqual(linked.labels, colour(linked)) * 2000;
    const freeShare = shareEqual(free.labels, colour(free)) * 2000;
    expect(linkedShare).toBeGreaterThan(1820 - 64);
    expect(linkedShare).toBeLessThan(1820 + 64);
    expect(freeShare).toBeGreaterThan(200 - 67);
    expect(freeShare).toBeLessThan(200 + 67);
  });

  it('draws every value of every attribute', () => {
    const batch = generateTrifeature({ count: 500, size: 8, seed: 5 });
    expect(new Set(batch.labels).size).toBe(trifeatureNames.shapes.length);
    expect(new Set(batch.attributes.texture).size).toBe(trifeatureNames.textures.length);
    expect(new Set(batch.attributes.color).size).toBe(trifeatureNames.colors.length);
  });

  it('renders any size of at least 8 and an empty batch', () => {
    for (const size of [8, 33, 224]) {
      const batch = generateTrifeature({ count: 1, size, seed: 0 });
      expect(batch.pixels.length).toBe(size * size * 3);
    }
    expect(generateTrifeature({ count: 0, seed: 0 }).pixels.length).toBe(0);
  });

  it('names the bad option', () => {
    const bad: [Parameters<typeof generateTrifeature>[0], RegExp][] = [
      [{ count: 1, seed: 0, size: 7 }, /option size: must be an integer ≥ 8/],
      [{ count: 1, seed: 0, size: 31.5 }, /option size/],
      [{ count: -1, seed: 0 }, /option count: must be an integer ≥ 0/],
      [{ count: 1, seed: 0.5 }, /option seed/],
      [{ count: 1, seed: 0, correlation: 1.1 }, /option correlation: must be a number in \[0, 1\]/],
      [{ count: 1, seed: 0, correlation: Number.NaN }, /option correlation/],
      [
        { count: 1, seed: 0, label: 'size' as 'shape' },
        /option label: must be one of shape, texture, color/,
      ],
      [{ count: 1, seed: 0, firstIndex: -1 }, /option firstIndex/],
    ];
    for (const [options, message] of bad) {
      expect(() => generateTrifeature(options)).toThrow(TrifeatureOptionError);
      expect(() => generateTrifeature(options)).toThrow(message);
    }
  });
});
