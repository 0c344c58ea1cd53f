import { describe, expect, it } from 'vitest';
import { generateToyShapes, splitToyShapes } from './toy-shapes.dataset.ts';

function countDiffs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let diffs = 0;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) diffs++;
  return diffs;
}

describe('generateToyShapes', () => {
  const ds = generateToyShapes({ count: 2000, seed: 7 });

  it('has the documented shapes and value range', () => {
    expect(ds.images.length).toBe(2000 * 16 * 16 * 3);
    expect(ds.labels.length).toBe(2000);
    expect(ds.colors.length).toBe(2000);
    expect(ds.classNames).toEqual(['circle', 'square', 'triangle', 'cross']);
    expect(ds.colorNames).toHaveLength(4);
    let min = Infinity;
    let max = -Infinity;
    for (const v of ds.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max - min).toBeGreaterThan(0.5);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const again = generateToyShapes({ count: 2000, seed: 7 });
    // Element loops: toEqual on 1.5M-element typed arrays is very slow.
    expect(countDiffs(again.images, ds.images)).toBe(0);
    expect(countDiffs(again.labels, ds.labels)).toBe(0);
    const other = generateToyShapes({ count: 50, seed: 8 });
    expect(countDiffs(other.images, ds.images)).toBeGreaterThan(1000);
  });

  it('balances classes and honours colorCorrelation', () => {
    const perClass = [0, 0, 0, 0];
    let usual = 0;
    for (let i = 0; i < ds.count; i++) {
      const label = ds.labels[i] ?? -1;
      perClass[label] = (perClass[label] ?? 0) + 1;
      if (ds.colors[i] === label) usual++;
    }
    for (const n of perClass) expect(n).toBeGreaterThan(400);
    // P(usual) = 0.8 + 0.2 · 1/4 = 0.85
    expect(usual / ds.count).toBeGreaterThan(0.82);
    expect(usual / ds.count).toBeLessThan(0.88);

    const decorrelated = generateToyShapes({ count: 2000, seed: 7, colorCorrelation: 0 });
    let usual0 = 0;
    for (let i = 0; i < decorrelated.count; i++) {
      if (decorrelated.colors[i] === decorrelated.labels[i]) usual0++;
    }
    expect(usual0 / decorrelated.count).toBeGreaterThan(0.2);
    expect(usual0 / decorrelated.count).toBeLessThan(0.3);
  });

  it('splits into train and test', () => {
    const { train, test } = splitToyShapes(ds, 1500);
    expect(train.count).toBe(1500);
    expect(test.count).toBe(500);
    expect(test.labels[0]).toBe(ds.labels[1500]);
    expect(test.images.length).toBe(500 * 16 * 16 * 3);
  });

  it('rejects bad options', () => {
    expect(() => generateToyShapes({ count: -1, seed: 1 })).toThrow(/count/);
    expect(() => generateToyShapes({ count: 1, seed: 1, colorCorrelation: 2 })).toThrow(
      /colorCorrelation/,
    );
  });
});
