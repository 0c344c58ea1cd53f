import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { knnFixture } from './load-fixtures.ts';
import { nearestNeighbors } from './nearest-neighbors.ts';

// scikit-learn 1.2 NearestNeighbors.kneighbors on seeded data (fixtures/individual/make_fixtures.py).

/** Reference: sort every row's squared distances, then indices, the slow obvious way. */
function sortedNeighbours(x: ArrayLike<number>, d: number, k: number): number[] {
  const n = x.length / d;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const byDistance: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += ((x[i * d + t] as number) - (x[j * d + t] as number)) ** 2;
      byDistance.push([s, j]);
    }
    byDistance.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [, j] of byDistance.slice(0, k)) out.push(j);
  }
  return out;
}

describe('nearestNeighbors', () => {
  it.each(knnFixture.cases)('returns scikit-learn’s neighbours: $name', (c) => {
    expect(Array.from(nearestNeighbors(c.features, c.d, c.k))).toEqual(c.indices);
  });

  it('lists each row first and breaks ties by the lower index (hand-worked)', () => {
    // Points 0, 1, 2, 3 on a line. Row 1 sees rows 0 and 2 at distance 1: row 0 wins.
    // Row 2 sees rows 1 and 3 at distance 1: row 1 wins.
    expect(Array.from(nearestNeighbors([0, 1, 2, 3], 1, 2))).toEqual([0, 1, 1, 0, 2, 1, 3, 2]);
    // Duplicate rows: at distance 0 the lower index comes first, even before the row itself.
    expect(Array.from(nearestNeighbors([5, 9, 5], 1, 2))).toEqual([0, 2, 1, 0, 0, 2]);
  });

  it('keeps the lower-index tied rows where scikit-learn’s heap keeps others', () => {
    const t = knnFixture.ties;
    const ours = Array.from(nearestNeighbors(t.features, t.d, t.k));
    expect(ours).toEqual(t.lowerIndexRule.indices);
    // The documented difference: rows whose k-th distance is tied get other (equidistant) rows.
    const differs = (i: number) =>
      [...ours.slice(i * t.k, i * t.k + t.k)].sort().join() !==
      [...t.sklearn.indices.slice(i * t.k, i * t.k + t.k)].sort().join();
    const rows = Array.from({ length: t.n }, (_, i) => i).filter(differs);
    expect(rows).toEqual(t.sklearn.rowsWithOtherTiedNeighbours);
  });

  it('equals a full sort, ties included, for any shape (property)', () => {
    const matrix = fc
      .record({ d: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 23 }) })
      .chain(({ d, n }) =>
        fc.record({
          d: fc.constant(d),
          // Small integers make exact ties common; fractions make them rare.
          x: fc.oneof(
            fc.array(fc.integer({ min: -2, max: 2 }), { minLength: n * d, maxLength: n * d }),
            fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), {
              minLength: n * d,
              maxLength: n * d,
            }),
          ),
          k: fc.integer({ min: 1, max: n }),
        }),
      );
    fc.assert(
      fc.property(matrix, ({ d, x, k }) => {
        expect(Array.from(nearestNeighbors(x, d, k))).toEqual(sortedNeighbours(x, d, k));
      }),
      { numRuns: 300 },
    );
  });

  it('is exact where ‖x‖² + ‖y‖² − 2x·y loses the digits', () => {
    // Norms ~1e16: the dot-product form cannot tell these rows apart; exact differences can.
    const x = [1e8, 1e8 + 3, 1e8 + 1, 1e8 + 7, 1e8 + 2];
    expect(Array.from(nearestNeighbors(x, 1, 2))).toEqual(sortedNeighbours(x, 1, 2));
  });

  it('names the bad argument', () => {
    expect(() => nearestNeighbors([1, 2, 3], 2, 1)).toThrow(
      'features: has 3 values, which is not a whole number of rows of d = 2',
    );
    expect(() => nearestNeighbors([1, 2], 0, 1)).toThrow('d: must be a positive integer, got 0');
    expect(() => nearestNeighbors([1, 2], 1.5, 1)).toThrow(MetricsInputError);
    expect(() => nearestNeighbors([1, Number.NaN], 1, 1)).toThrow(
      'features[1]: NaN is not a finite number',
    );
    expect(() => nearestNeighbors([1, 2], 1, 3)).toThrow(
      'k: must be an integer in [1, n = 2], got 3',
    );
    expect(() => nearestNeighbors([1, 2], 1, 0)).toThrow(MetricsInputError);
    expect(() => nearestNeighbors([1e200, 0], 1, 1)).toThrow(
      'features[0]: row 0 has a squared norm',
    );
  });
});
