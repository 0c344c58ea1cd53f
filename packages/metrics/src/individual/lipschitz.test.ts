import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { lipschitzFairness } from './lipschitz.ts';
import { lipschitzFixture } from './load-fixtures.ts';

/** Rows of `x` (n×width) taken in the order `perm`. */
function permuteRows(x: ArrayLike<number>, width: number, perm: readonly number[]): number[] {
  return perm.flatMap((i) => Array.from({ length: width }, (_, t) => x[i * width + t] as number));
}

describe('lipschitzFairness', () => {
  it.each(lipschitzFixture.cases)('matches scipy: $name', (c) => {
    const result = lipschitzFairness(c.probs, c.numClasses, c.features, c.d, {
      pairs: c.pairs,
      distance: c.distance,
    });
    expect(result.value).toBeCloseTo(c.value, 12);
    expect(result.pairs).toBe(c.pairsUsed);
    expect(result.skippedZeroDistance).toBe(c.skippedZeroDistance);
  });

  it('hand-worked: 3 points, Euclidean', () => {
    // x = (0,0), (3,4), (0,1); f = (1,0), (.5,.5), (.9,.1).
    // (0,1): L1 1, dist 5 → 0.2. (0,2): L1 0.2, dist 1 → 0.2. (1,2): L1 0.8, dist √18.
    const result = lipschitzFairness([1, 0, 0.5, 0.5, 0.9, 0.1], 2, [0, 0, 3, 4, 0, 1], 2);
    expect(result.value).toBeCloseTo((0.2 + 0.2 + 0.8 / Math.sqrt(18)) / 3, 14);
    expect(result).toMatchObject({ pairs: 3, skippedZeroDistance: 0 });
  });

  it('hand-worked: 3 points, cosine', () => {
    // x = (1,0), (0,1), (1,1): 1 − cos = 1, 1 − 1/√2, 1 − 1/√2; f = (1,0), (0,1), (.5,.5).
    // L1 = 2, 1, 1.
    const c = 1 - Math.SQRT1_2;
    const result = lipschitzFairness([1, 0, 0, 1, 0.5, 0.5], 2, [1, 0, 0, 1, 1, 1], 2, {
      distance: 'cosine',
    });
    expect(result.value).toBeCloseTo((2 / 1 + 1 / c + 1 / c) / 3, 12);
  });

  it('skips pairs at zero distance and counts them', () => {
    // Rows 0 and 2 are equal; only (0,1): L1 2 at distance 2, and (1,2): L1 1 at distance 2
    // remain, so (1 + 0.5) / 2.
    const result = lipschitzFairness([1, 0, 0, 1, 0.5, 0.5], 2, [0, 2, 0], 1);
    expect(result).toEqual({ value: 0.75, pairs: 2, skippedZeroDistance: 1 });
    // Parallel rows have cosine distance 0 (2x: exactly; 3x: within rounding).
    const cosine = lipschitzFairness([1, 0, 0, 1, 1, 0], 2, [1, 2, 2, 4, 3, 6], 2, {
      distance: 'cosine',
    });
    expect(cosine).toEqual({ value: Number.NaN, pairs: 0, skippedZeroDistance: 3 });
  });

  it('gives NaN and no pairs for fewer than two rows', () => {
    expect(lipschitzFairness([0.3, 0.7], 2, [1, 2], 2)).toEqual({
      value: Number.NaN,
      pairs: 0,
      skippedZeroDistance: 0,
    });
    const sampled = lipschitzFairness([], 2, [], 2, { pairs: { sample: 10, seed: 1 } });
    expect(sampled.pairs).toBe(0);
  });

  it('draws the same pairs from the same seed', () => {
    const c = lipschitzFixture.cases[0];
    expect(c).toBeDefined();
    if (!c) return;
    const run = (seed: number) =>
      lipschitzFairness(c.probs, c.numClasses, c.features, c.d, { pairs: { sample: 50, seed } });
    expect(run(3)).toEqual(run(3));
    expect(run(3).value).not.toBe(run(4).value);
    expect(run(3).pairs + run(3).skippedZeroDistance).toBe(50);
  });

  it('names the bad argument', () => {
    expect(() => lipschitzFairness([0.5, Number.NaN], 1, [0, 1], 1)).toThrow(
      'probs[1]: NaN is not a probability in [0, 1]',
    );
    expect(() => lipschitzFairness([0.5, -0.1], 1, [0, 1], 1)).toThrow(
      'probs[1]: -0.1 is not a probability in [0, 1]',
    );
    expect(() => lipschitzFairness([0.5, 0.5, 1], 2, [0, 1], 1)).toThrow(
      'probs: has 3 values, which is not a whole number of rows of numClasses = 2',
    );
    expect(() => lipschitzFairness([0.5, 0.5], 0, [0, 1], 1)).toThrow('numClasses: must be');
    expect(() => lipschitzFairness([0.5, 0.5], 1, [0, 1, 2], 1)).toThrow(
      'features: has 3 values but probs has 2 rows and d = 1, so it needs n × d = 2',
    );
    expect(() => lipschitzFairness([0.5, 0.5], 1, [0, 1], -1)).toThrow('d: must be a positive');
    expect(() => lipschitzFairness([0.5, 0.5], 1, [0, Number.NaN], 1)).toThrow(
      'features[1]: NaN is not a finite number',
    );
    expect(() => lipschitzFairness([0.5, 0.5], 1, [1, 1, 0, 0], 2, { distance: 'cosine' })).toThrow(
      'features[2]: row 1 has zero norm; cosine distance is undefined for it',
    );
    expect(() =>
      lipschitzFairness([0.5, 0.5], 1, [0, 1], 1, { pairs: { sample: 0, seed: 1 } }),
    ).toThrow('pairs.sample: must be a positive integer, got 0');
    expect(() =>
      lipschitzFairness([0.5, 0.5], 1, [0, 1], 1, { pairs: { sample: 2, seed: 0.5 } }),
    ).toThrow('pairs.seed: must be an integer, got 0.5');
    const distance = 'manhattan' as 'euclidean';
    expect(() => lipschitzFairness([0.5, 0.5], 1, [0, 1], 1, { distance })).toThrow(
      MetricsInputError,
    );
  });

  // Features on a 0.01 grid and probability rows; duplicates (zero distance) are allowed.
  // Probabilities as small as 5e-324 are subnormal: relative precision is gone there, so the
  // relative bounds below get an absolute floor far below any value that matters.
  const SUBNORMAL_SLACK = 1e-300;

  const lipschitzCase = fc
    .record({
      n: fc.integer({ min: 0, max: 12 }),
      d: fc.integer({ min: 1, max: 4 }),
      numClasses: fc.integer({ min: 1, max: 4 }),
    })
    .chain(({ n, d, numClasses }) =>
      fc.record({
        d: fc.constant(d),
        numClasses: fc.constant(numClasses),
        features: fc.array(
          fc.integer({ min: -300, max: 300 }).map((v) => v / 100),
          { minLength: n * d, maxLength: n * d },
        ),
        probs: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
          minLength: n * numClasses,
          maxLength: n * numClasses,
        }),
        perm: fc.shuffledSubarray(
          Array.from({ length: n }, (_, i) => i),
          { minLength: n, maxLength: n },
        ),
        distance: fc.constantFrom('euclidean' as const, 'cosine' as const),
      }),
    )
    // Cosine needs nonzero rows.
    .map((c) => ({ ...c, features: c.features.map((v) => (v === 0 ? 0.01 : v)) }));

  it('is ≥ 0 (property)', () => {
    fc.assert(
      fc.property(lipschitzCase, ({ probs, numClasses, features, d, distance }) => {
        const { value, pairs } = lipschitzFairness(probs, numClasses, features, d, { distance });
        if (pairs > 0) expect(value).toBeGreaterThanOrEqual(0);
        else expect(value).toBeNaN();
      }),
    );
  });

  it('does not depend on the order of the rows (property)', () => {
    fc.assert(
      fc.property(lipschitzCase, ({ probs, numClasses, features, d, perm, distance }) => {
        const before = lipschitzFairness(probs, numClasses, features, d, { distance });
        const after = lipschitzFairness(
          permuteRows(probs, numClasses, perm),
          numClasses,
          permuteRows(features, d, perm),
          d,
          { distance },
        );
        expect(after.pairs).toBe(before.pairs);
        expect(after.skippedZeroDistance).toBe(before.skippedZeroDistance);
        // Same terms bit for bit (each distance is symmetric); only the summation order moves.
        if (before.pairs > 0) {
          expect(Math.abs(after.value - before.value)).toBeLessThanOrEqual(
            1e-12 * before.value + SUBNORMAL_SLACK,
          );
        }
      }),
    );
  });

  it('scales Euclidean values by 1/s when features scale by s > 0 (property)', () => {
    fc.assert(
      fc.property(
        lipschitzCase,
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        ({ probs, numClasses, features, d }, s) => {
          const before = lipschitzFairness(probs, numClasses, features, d);
          const after = lipschitzFairness(
            probs,
            numClasses,
            features.map((v) => v * s),
            d,
          );
          expect(after.pairs).toBe(before.pairs);
          if (before.pairs > 0) {
            expect(Math.abs(after.value * s - before.value)).toBeLessThanOrEqual(
              1e-12 * before.value + SUBNORMAL_SLACK,
            );
          }
        },
      ),
    );
  });
});
