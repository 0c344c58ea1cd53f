import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bootstrapCI } from './bootstrap.ts';
import { quantileSorted } from './quantile.ts';
import { createRandom } from './random.ts';

describe('bootstrapCI', () => {
  it('is the percentile interval of replicates drawn from createRandom (by hand)', () => {
    // Redo the algorithm step by step: 5 replicates of a 3-value sample, seed 11.
    const values = [1, 4, 10];
    const random = createRandom(11);
    const replicates: number[] = [];
    for (let b = 0; b < 5; b++) {
      let sum = 0;
      for (let i = 0; i < 3; i++) sum += values[random.int(3)] as number;
      replicates.push(sum / 3);
    }
    replicates.sort((x, y) => x - y);
    // confidence 0.5 → 25th and 75th percentiles; with 5 replicates h = 4·0.25 = 1 and 3,
    // exactly the 2nd and 4th smallest.
    const ci = bootstrapCI(values, { iterations: 5, confidence: 0.5, seed: 11 });
    expect(ci.estimate).toBe(5);
    expect(ci.lower).toBe(replicates[1]);
    expect(ci.upper).toBe(replicates[3]);
    expect(ci).toMatchObject({ confidence: 0.5, iterations: 5 });
  });

  it('covers the mean of a normal sample about as often as asked', () => {
    // 200 samples of n = 40 from N(0, 1) (Box–Muller on the same generator); a 90% interval for
    // the mean should miss 0 about 20 times. Percentile intervals run a little narrow at n = 40.
    const random = createRandom(3);
    const normal = () =>
      Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
    let covered = 0;
    for (let s = 0; s < 200; s++) {
      const sample = Array.from({ length: 40 }, normal);
      const ci = bootstrapCI(sample, { iterations: 500, confidence: 0.9, seed: s });
      if (ci.lower <= 0 && 0 <= ci.upper) covered++;
    }
    expect(covered).toBeGreaterThan(160);
    expect(covered).toBeLessThan(195);
  });

  it('draws the same indices in both forms', () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6];
    const median = (x: ArrayLike<number>) => quantileSorted(Float64Array.from(x).sort(), 0.5);
    const byValues = bootstrapCI(values, { seed: 5, iterations: 300, statistic: median });
    const byIndex = bootstrapCI(
      { n: values.length, statistic: (idx) => median(Array.from(idx, (i) => values[i] as number)) },
      { seed: 5, iterations: 300 },
    );
    expect(byIndex).toEqual(byValues);
  });

  it('is reproducible for a seed and brackets the estimate', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (values, seed) => {
          const first = bootstrapCI(values, { seed, iterations: 200 });
          const again = bootstrapCI(values, { seed, iterations: 200 });
          expect(again).toEqual(first);
          expect(first.lower).toBeLessThanOrEqual(first.upper);
          expect(first.lower).toBeGreaterThanOrEqual(Math.min(...values) - 1e-9);
          expect(first.upper).toBeLessThanOrEqual(Math.max(...values) + 1e-9);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('bootstraps over runs with the index form', () => {
    // Per-run accuracies of 5 seeds; the estimate is their mean.
    const runAccuracies = [0.71, 0.69, 0.7, 0.72, 0.68];
    const ci = bootstrapCI({
      n: runAccuracies.length,
      statistic: (idx) =>
        idx.reduce((sum, i) => sum + (runAccuracies[i] as number), 0) / idx.length,
    });
    expect(ci.estimate).toBeCloseTo(0.7, 14);
    expect(ci.lower).toBeLessThan(0.7);
    expect(ci.upper).toBeGreaterThan(0.7);
    expect(ci.iterations).toBe(2000);
    expect(ci.confidence).toBe(0.95);
  });

  it('returns NaN bounds when a replicate is NaN', () => {
    const ci = bootstrapCI({ n: 3, statistic: (idx) => (idx.includes(0) ? Number.NaN : 1) });
    expect(ci.estimate).toBeNaN();
    expect(ci.lower).toBeNaN();
    expect(ci.upper).toBeNaN();
  });

  it('names bad input', () => {
    expect(() => bootstrapCI([1, Number.NaN])).toThrow('values[1]: NaN is not a finite number');
    expect(() => bootstrapCI([])).toThrow('values: is empty');
    expect(() => bootstrapCI([1], { iterations: 0 })).toThrow('iterations: must be a positive');
    expect(() => bootstrapCI([1], { confidence: 1 })).toThrow('confidence: must be in (0, 1)');
    expect(() => bootstrapCI([1], { seed: 0.5 })).toThrow('seed: must be an integer');
    expect(() => bootstrapCI({ n: 0, statistic: () => 0 })).toThrow('n: must be a positive');
  });
});
