import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../stats/random.ts';
import { consistencyScore } from './consistency.ts';
import { knnFixture } from './load-fixtures.ts';

/** n×d features from a seed: continuous values, so exact distance ties have probability 0. */
function randomFeatures(seed: number, n: number, d: number): Float64Array {
  const random = createRandom(seed);
  return Float64Array.from({ length: n * d }, () => random.next() * 2 - 1);
}

/** Rows of `x` (n×d) taken in the order `perm`. */
function permuteRows(x: ArrayLike<number>, d: number, perm: readonly number[]): number[] {
  return perm.flatMap((i) => Array.from({ length: d }, (_, t) => x[i * d + t] as number));
}

describe('consistencyScore', () => {
  it.each(knnFixture.cases)('matches AIF360’s formula on scikit-learn neighbours: $name', (c) => {
    expect(consistencyScore(c.features, c.d, c.yPred, { k: c.k })).toBeCloseTo(c.consistency, 12);
  });

  it('hand-worked: 4 points on a line, k = 2', () => {
    // x = 0, 1, 3, 6; each row's 2 neighbours are itself and its nearest other row:
    // 0 → {0, 1}, 1 → {1, 0}, 3 → {3, 1} (2 < 3), 6 → {6, 3}.
    // ŷ = 1, 1, 0, 0: |1 − 1| + |1 − 1| + |0 − ½| + |0 − 0| = ½, so 1 − ½/4 = 0.875.
    expect(consistencyScore([0, 1, 3, 6], 1, [1, 1, 0, 0], { k: 2 })).toBe(0.875);
    // k = 1 leaves each row alone with itself: always 1.
    expect(consistencyScore([0, 1, 3, 6], 1, [1, 0, 1, 0], { k: 1 })).toBe(1);
  });

  it('hand-worked tie: equidistant rows go to the lower index', () => {
    // x = 0, 1, 2, 3, k = 2: row 1 takes row 0 (not 2), row 2 takes row 1 (not 3).
    // ŷ = 0, 1, 1, 0: |0 − ½| + |1 − ½| + |1 − 1| + |0 − ½| = 1.5, so 1 − 1.5/4 = 0.625.
    expect(consistencyScore([0, 1, 2, 3], 1, [0, 1, 1, 0], { k: 2 })).toBe(0.625);
  });

  it('follows the lower-index rule where scikit-learn keeps other tied rows', () => {
    const t = knnFixture.ties;
    const score = consistencyScore(t.features, t.d, t.yPred, { k: t.k });
    expect(score).toBeCloseTo(t.lowerIndexRule.consistency, 12);
    expect(score).not.toBeCloseTo(t.sklearn.consistency, 6);
  });

  it('defaults to k = 5, like AIF360', () => {
    const c = knnFixture.cases.find((x) => x.k === 5);
    expect(c).toBeDefined();
    if (c) expect(consistencyScore(c.features, c.d, c.yPred)).toBeCloseTo(c.consistency, 12);
  });

  it('accepts typed arrays', () => {
    const x = Float32Array.from([0, 1, 3, 6]);
    expect(consistencyScore(x, 1, Uint8Array.from([1, 1, 0, 0]), { k: 2 })).toBe(0.875);
  });

  const binaryCase = fc
    .record({
      seed: fc.integer(),
      n: fc.integer({ min: 1, max: 40 }),
      d: fc.integer({ min: 1, max: 6 }),
    })
    .chain(({ seed, n, d }) =>
      fc.record({
        features: fc.constant(randomFeatures(seed, n, d)),
        d: fc.constant(d),
        yPred: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
        k: fc.integer({ min: 1, max: n }),
        perm: fc.shuffledSubarray(
          Array.from({ length: n }, (_, i) => i),
          { minLength: n, maxLength: n },
        ),
      }),
    );

  it('lies in [0, 1] for binary ŷ (property)', () => {
    fc.assert(
      fc.property(binaryCase, ({ features, d, yPred, k }) => {
        const score = consistencyScore(features, d, yPred, { k });
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('is 1 when every prediction is the same (property)', () => {
    fc.assert(
      fc.property(binaryCase, fc.double({ min: -5, max: 5, noNaN: true }), (c, v) => {
        const yPred = c.yPred.map(() => v);
        expect(consistencyScore(c.features, c.d, yPred, { k: c.k })).toBe(1);
      }),
    );
  });

  it('does not depend on the order of the rows (property, no distance ties)', () => {
    fc.assert(
      fc.property(binaryCase, ({ features, d, yPred, k, perm }) => {
        const before = consistencyScore(features, d, yPred, { k });
        const after = consistencyScore(
          permuteRows(features, d, perm),
          d,
          perm.map((i) => yPred[i] as number),
          { k },
        );
        // Same neighbour sets; only the summation order over rows changes.
        expect(after).toBeCloseTo(before, 12);
      }),
    );
  });

  it('names the bad argument', () => {
    expect(() => consistencyScore([0, 1, 2], 1, [0, 1], { k: 1 })).toThrow(
      'features: has 3 values but yPred has 2 rows and d = 1, so it needs n × d = 2',
    );
    expect(() => consistencyScore([0, 1], 0, [0, 1])).toThrow('d: must be a positive integer');
    expect(() => consistencyScore([0, 1], 1, [0, 1], { k: 3 })).toThrow(
      'k: must be an integer in [1, n = 2], got 3',
    );
    expect(() => consistencyScore([0, 1], 1, [0, 1], { k: 0 })).toThrow('k: must be an integer');
    expect(() => consistencyScore([0, Number.NaN, 1, 2], 2, [0, 1], { k: 1 })).toThrow(
      'features[1]: NaN is not a finite number',
    );
    expect(() => consistencyScore([0, 1], 1, [0, Number.NaN], { k: 1 })).toThrow(
      'yPred[1]: NaN is not a finite number',
    );
    expect(() => consistencyScore([], 1, [])).toThrow('yPred: is empty');
  });
});
