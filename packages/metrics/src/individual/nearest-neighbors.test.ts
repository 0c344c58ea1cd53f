import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { createRandom } from '../stats/random.ts';
import { hasKnnKernel } from './knn-kernel.ts';
import { knnFixture } from './load-fixtures.ts';
import { nearestNeighbors, nearestNeighborsWith } from './nearest-neighbors.ts';

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

describe('nearestNeighbors: WebAssembly and TypeScript screens', () => {
  const both = (x: ArrayLike<number>, d: number, k: number) => ({
    wasm: Array.from(nearestNeighborsWith('wasm', x, d, k)),
    typescript: Array.from(nearestNeighborsWith('typescript', x, d, k)),
  });
  const agree = (x: ArrayLike<number>, d: number, k: number) => {
    const { wasm, typescript } = both(x, d, k);
    expect(wasm).toEqual(typescript);
  };

  it('runs the WebAssembly screen here, so the tests above exercise it', () => {
    // Node ≥ 16.4 has WebAssembly SIMD; without it nearestNeighbors falls back silently.
    expect(hasKnnKernel()).toBe(true);
  });

  it('gives the same neighbours, ties included (property)', () => {
    const matrix = fc
      .record({ d: fc.integer({ min: 1, max: 9 }), n: fc.integer({ min: 1, max: 40 }) })
      .chain(({ d, n }) =>
        fc.record({
          d: fc.constant(d),
          // Small integers: ties everywhere. Doubles: ties rare. A big offset: the norms dwarf
          // the distances, which the float32 screen must survive by centring.
          x: fc.oneof(
            fc.array(fc.integer({ min: -2, max: 2 }), { minLength: n * d, maxLength: n * d }),
            fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), {
              minLength: n * d,
              maxLength: n * d,
            }),
            fc
              .array(fc.integer({ min: 0, max: 3 }), { minLength: n * d, maxLength: n * d })
              .map((v) => v.map((t) => 1e9 + t)),
          ),
          k: fc.integer({ min: 1, max: n }),
        }),
      );
    fc.assert(
      fc.property(matrix, ({ d, x, k }) => {
        agree(x, d, k);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same neighbours over several blocks, with and without ties', () => {
    // d = 1024 makes blocks of 32 (TypeScript) and 64 (WebAssembly) rows, so n = 300 spans
    // several of each, diagonal and off-diagonal, plus a partial panel.
    const random = createRandom(7);
    const n = 301;
    const d = 1024;
    const uniform = Float64Array.from({ length: n * d }, () => random.next());
    agree(uniform, d, 5);
    const bits = Float64Array.from({ length: n * d }, () => random.int(2));
    agree(bits, d, 7);
    expect(Array.from(nearestNeighbors(bits, d, 7))).toEqual(sortedNeighbours(bits, d, 7));
  });

  it('lets through candidates that float32 cannot tell apart', () => {
    // Row 0 at the origin, rows 1..m at distances 1 + (m − j)·1e−12 along a diagonal: equal in
    // float32, so only the exact re-measure can order them, and the nearest come last.
    const m = 40;
    const d = 4;
    const x = new Float64Array((m + 1) * d);
    for (let j = 1; j <= m; j++) x.fill((1 + (m - j) * 1e-12) / 2, j * d, j * d + d);
    for (const k of [2, 5, m + 1]) {
      const { wasm, typescript } = both(x, d, k);
      expect(wasm).toEqual(typescript);
      expect(wasm).toEqual(sortedNeighbours(x, d, k));
    }
  });

  it('gives the same neighbours at extreme scales', () => {
    const random = createRandom(11);
    const n = 61;
    const d = 5;
    const scaled = (scale: number, offset = 0) =>
      Float64Array.from({ length: n * d }, () => offset + scale * (random.int(5) - 2));
    for (const x of [
      scaled(1e-300), // float32 underflows: the screen's absolute terms take over
      scaled(1e-160), // squared distances near float64's subnormals
      scaled(1e150), // norms near the Number.MAX_VALUE / 4 limit
      scaled(1, 1e12), // offset far above the spread
      scaled(0, 3), // every row the same
      Float64Array.from({ length: n * d }, (_, i) => (i % 7 === 0 ? 1e100 : random.next())),
    ]) {
      for (const k of [1, 4, n]) {
        const { wasm, typescript } = both(x, d, k);
        expect(wasm).toEqual(typescript);
        expect(wasm).toEqual(sortedNeighbours(x, d, k));
      }
    }
  });
});
