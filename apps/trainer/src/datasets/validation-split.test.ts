import { describe, expect, it } from 'vitest';
import type { ImageSplit } from './dataset.ts';
import { carveValidation } from './validation-split.ts';

const IMAGE_BYTES = 2 * 2 * 1;

/**
 * A training split whose classes have the given sizes (labels interleaved, as in a shuffled file).
 * Example i has index 1000 + i, attribute `group` = i mod 3, and all four pixels equal to i mod 256,
 * so every output example can be traced back to its source.
 */
function makeSplit(classSizes: number[]): ImageSplit {
  const labels: number[] = [];
  const remaining = [...classSizes];
  while (remaining.some((n) => n > 0)) {
    remaining.forEach((n, c) => {
      if (n > 0) {
        labels.push(c);
        remaining[c] = n - 1;
      }
    });
  }
  const count = labels.length;
  const pixels = new Uint8Array(count * IMAGE_BYTES);
  for (let i = 0; i < count; i++) pixels.fill(i % 256, i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES);
  return {
    kind: 'image',
    split: 'train',
    pixels,
    count,
    height: 2,
    width: 2,
    channels: 1,
    labels: Int32Array.from(labels),
    attributes: { group: Int32Array.from(labels, (_, i) => i % 3) },
    indices: Int32Array.from(labels, (_, i) => 1000 + i),
  };
}

function perClass(split: ImageSplit, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of split.labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}

describe('carveValidation', () => {
  const source = makeSplit([40, 30, 20, 10]);

  it('takes the fraction from every class', () => {
    const { train, val } = carveValidation(source, { fraction: 0.2, seed: 1 });
    expect(val.split).toBe('val');
    expect(train.split).toBe('train');
    expect(val.count).toBe(20);
    expect(train.count).toBe(80);
    // 20% of 40, 30, 20, 10.
    expect(perClass(val, 4)).toEqual([8, 6, 4, 2]);
    expect(perClass(train, 4)).toEqual([32, 24, 16, 8]);
  });

  it('partitions the examples, keeping their original indices in order', () => {
    const { train, val } = carveValidation(source, { fraction: 0.2, seed: 1 });
    const all = [...train.indices, ...val.indices].sort((a, b) => a - b);
    expect(all).toEqual([...source.indices]);
    for (const split of [train, val]) {
      const indices = [...split.indices];
      expect(indices).toEqual([...indices].sort((a, b) => a - b));
    }
  });

  it('carries pixels, labels and attributes with each example', () => {
    const { train, val } = carveValidation(source, { fraction: 0.3, seed: 9 });
    for (const split of [train, val]) {
      expect(split.pixels.length).toBe(split.count * IMAGE_BYTES);
      expect(split.attributes.group?.length).toBe(split.count);
      for (let k = 0; k < split.count; k++) {
        const i = (split.indices[k] ?? 0) - 1000;
        expect(split.labels[k]).toBe(source.labels[i]);
        expect(split.attributes.group?.[k]).toBe(i % 3);
        const pixels = split.pixels.subarray(k * IMAGE_BYTES, (k + 1) * IMAGE_BYTES);
        expect([...pixels]).toEqual(new Array(IMAGE_BYTES).fill(i % 256));
      }
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = carveValidation(source, { fraction: 0.2, seed: 42 });
    const b = carveValidation(source, { fraction: 0.2, seed: 42 });
    const c = carveValidation(source, { fraction: 0.2, seed: 43 });
    expect([...a.val.indices]).toEqual([...b.val.indices]);
    expect([...a.val.indices]).not.toEqual([...c.val.indices]);
  });

  it('shares a rounded total among classes by largest remainder', () => {
    // Three classes of 3 at 50%: round(4.5) = 5 in total; 1.5 each floors to 1, two classes get 2.
    const { val } = carveValidation(makeSplit([3, 3, 3]), { fraction: 0.5, seed: 2 });
    expect(val.count).toBe(5);
    expect(perClass(val, 3).sort()).toEqual([1, 2, 2]);
  });

  it('does not modify its input', () => {
    const before = [...source.indices];
    carveValidation(source, { fraction: 0.5, seed: 3 });
    expect([...source.indices]).toEqual(before);
    expect(source.count).toBe(100);
  });

  it('rejects a fraction outside (0, 1), an empty part and a non-training split', () => {
    expect(() => carveValidation(source, { fraction: 0, seed: 1 })).toThrow(
      'fraction: expected a number strictly between 0 and 1, got 0',
    );
    expect(() => carveValidation(source, { fraction: 1, seed: 1 })).toThrow(RangeError);
    expect(() => carveValidation(source, { fraction: Number.NaN, seed: 1 })).toThrow(RangeError);
    expect(() => carveValidation(source, { fraction: 0.004, seed: 1 })).toThrow(
      'fraction: 0.004 of 100 examples leaves no validation examples',
    );
    expect(() => carveValidation({ ...source, split: 'test' }, { fraction: 0.2, seed: 1 })).toThrow(
      "train: expected the 'train' split, got 'test'",
    );
  });
});
