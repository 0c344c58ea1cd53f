import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareClasses } from '../class-bias/compare-classes.ts';
import { classGroupCounts } from '../group/class-group-counts.ts';
import { intersectionIndex } from '../group/intersection-index.ts';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { createRandom } from '../stats/random.ts';
import { armClassGroupAccuracy } from './arm-class-group-accuracy.ts';
import { compareClassGroups } from './compare-class-groups.ts';
import { worstCells } from './worst-cells.ts';

describe('compareClassGroups, hand-computed', () => {
  // One group; class 0 has 2 examples. Arm A: class-0 accuracy 1/2, 1; arm B: 0, 1/2.
  // Class 1 is always right in both arms.
  const yTrue = [0, 0, 1, 1];
  const s = ['a', 'a', 'a', 'a'];
  const arm = (preds: number[][]) => preds.map((p) => classGroupCounts(yTrue, p, { s }, 2));
  const a = arm([
    [0, 1, 1, 1],
    [0, 0, 1, 1],
  ]);
  const b = arm([
    [1, 1, 1, 1],
    [0, 1, 1, 1],
  ]);
  const r = compareClassGroups(a, b);

  it('gives the Welch delta, test and interval of each cell', () => {
    // Class 0: A {1/2, 1}, B {0, 1/2}: delta −1/2, s² = 1/8 each, SE = √(1/16 + 1/16) = √2/4,
    // t = (3/4 − 1/4)/SE = √2, df = (1/8)² / (2 · (1/16)²) = 2, p = 1 − √2/√(2 + 2) = 1 − 1/√2
    // (df = 2: P(|T| ≥ t) = 1 − t/√(2 + t²)).
    expect(r.meanA[0]).toBe(0.75);
    expect(r.meanB[0]).toBe(0.25);
    expect(r.delta[0]).toBe(-0.5);
    expect(r.t[0]).toBeCloseTo(Math.SQRT2, 14);
    expect(r.df[0]).toBeCloseTo(2, 14);
    expect(r.pValue[0]).toBeCloseTo(1 - Math.SQRT1_2, 14);
    // t_{0.975, 2} = 0.95 / √(2 · 0.975 · 0.025) (df = 2 closed form)
    const half = (0.95 / Math.sqrt(2 * 0.975 * 0.025)) * (Math.SQRT2 / 4);
    expect(r.lower[0]).toBeCloseTo(-0.5 - half, 13);
    expect(r.upper[0]).toBeCloseTo(-0.5 + half, 13);
    expect(r.examples[0]).toBe(2);
    expect(r.significant[0]).toBe(0);
  });

  it('gives a constant, equal cell a zero-width interval and no test', () => {
    expect(r.delta[1]).toBe(0);
    expect([r.lower[1], r.upper[1]]).toEqual([0, 0]);
    expect(r.pValue[1]).toBeNaN();
    expect(r.testedCount).toBe(1);
  });

  it('validates its inputs', () => {
    expect(() => compareClassGroups(a.slice(0, 1), b)).toThrow(
      new MetricsInputError('armA', 'needs at least 2 runs (one per seed) for a variance, got 1'),
    );
    expect(() => compareClassGroups(a, b, { confidence: 1 })).toThrow(
      'options.confidence: must be in (0, 1), got 1',
    );
    const other = classGroupCounts([0, 1, 1, 1], [0, 1, 1, 1], { s }, 2);
    expect(() =>
      compareClassGroups(
        a,
        [b[0], other].flatMap((x) => (x ? [x] : [])),
      ),
    ).toThrow('armB[1]: has other rows per (class, group) than the first run');
  });
});

/** Two arms of `seeds` runs on a shared test set, arm B worse on class 1 in group 'y'. */
function arms(seed: number, seeds: number, n: number, numClasses: number) {
  const rnd = createRandom(seed);
  const yTrue = Array.from({ length: n }, () => rnd.int(numClasses));
  const g = Array.from({ length: n }, () => (rnd.next() < 0.3 ? 'y' : 'x'));
  const run = (worse: boolean) =>
    yTrue.map((y, i) => {
      const skill = worse && y === 1 && g[i] === 'y' ? 0.3 : 0.7;
      return rnd.next() < skill ? y : rnd.int(numClasses);
    });
  const a = Array.from({ length: seeds }, () => run(false));
  const b = Array.from({ length: seeds }, () => run(true));
  return { yTrue, g, a, b };
}

describe('compareClassGroups = compareClasses on each group’s rows', () => {
  it('has the same delta, t, df and p in every cell', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 2, max: 5 }), (seed, k) => {
        const numClasses = 4;
        const { yTrue, g, a, b } = arms(seed, k, 60, numClasses);
        const index = intersectionIndex({ g });
        const counts = (preds: number[][]) =>
          preds.map((p) => classGroupCounts(yTrue, p, index, numClasses));
        const r = compareClassGroups(counts(a), counts(b));
        const numGroups = index.groups.length;
        index.groups.forEach(([value], j) => {
          const rows = g.flatMap((v, i) => (v === value ? [i] : []));
          const restrict = (preds: number[][]) =>
            preds.map((p) => ({
              yTrue: rows.map((i) => yTrue[i] ?? 0),
              yPred: rows.map((i) => p[i] ?? 0),
            }));
          const reference = compareClasses(restrict(a), restrict(b), {
            numClasses,
            statistic: 'raw',
          });
          for (const row of reference.perClass) {
            const cell = row.classIndex * numGroups + j;
            expect(r.delta[cell]).toBe(row.delta);
            expect(r.meanA[cell]).toBe(row.meanA);
            expect(r.sdB[cell]).toBe(row.sdB);
            expect(r.t[cell]).toBe(row.t);
            expect(r.df[cell]).toBe(row.df);
            expect(r.pValue[cell]).toBe(row.pValue);
          }
        });
        // The arm view is the same mean.
        expect(armClassGroupAccuracy(counts(a)).mean).toEqual(r.meanA);
      }),
      { numRuns: 40 },
    );
  });

  it('its interval at 1 − α excludes 0 exactly when p < α', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 2, max: 6 }),
        fc.constantFrom(0.01, 0.05, 0.2),
        (seed, k, alpha) => {
          const { yTrue, g, a, b } = arms(seed, k, 80, 3);
          const index = intersectionIndex({ g });
          const counts = (preds: number[][]) =>
            preds.map((p) => classGroupCounts(yTrue, p, index, 3));
          const r = compareClassGroups(counts(a), counts(b), { confidence: 1 - alpha });
          for (let i = 0; i < r.delta.length; i++) {
            const p = r.pValue[i] as number;
            const lower = r.lower[i] as number;
            const upper = r.upper[i] as number;
            if (Number.isNaN(p)) continue;
            expect(lower).toBeLessThanOrEqual(r.delta[i] as number);
            expect(upper).toBeGreaterThanOrEqual(r.delta[i] as number);
            if (Math.abs(p - alpha) < 1e-9) continue;
            expect(lower > 0 || upper < 0, `cell ${i}: p = ${p}, [${lower}, ${upper}]`).toBe(
              p < alpha,
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('worstCells', () => {
  const { yTrue, g, a, b } = arms(7, 5, 400, 3);
  const index = intersectionIndex({ g });
  const counts = (preds: number[][]) => preds.map((p) => classGroupCounts(yTrue, p, index, 3));
  const r = compareClassGroups(counts(a), counts(b));

  it('orders cells by delta, largest drop first; the planted drop (class 1, group y) leads', () => {
    const order = Array.from(worstCells(r));
    expect(order).toHaveLength(6);
    expect(order[0]).toBe(1 * 2 + 1);
    for (let i = 1; i < order.length; i++) {
      expect(r.delta[order[i - 1] as number]).toBeLessThanOrEqual(
        r.delta[order[i] as number] as number,
      );
    }
    const byUpper = Array.from(worstCells(r, { by: 'upper' }));
    for (let i = 1; i < byUpper.length; i++) {
      expect(r.upper[byUpper[i - 1] as number]).toBeLessThanOrEqual(
        r.upper[byUpper[i] as number] as number,
      );
    }
    expect(Array.from(worstCells(r, { limit: 2 }))).toEqual(order.slice(0, 2));
  });

  it('leaves out NaN and small cells, and keeps ties in index order', () => {
    const fake = {
      ...r,
      delta: Float64Array.from([0, -0.2, Number.NaN, -0.2, -0.5, 0.1]),
      examples: Float64Array.from([5, 5, 0, 5, 1, 5]),
    };
    expect(Array.from(worstCells(fake))).toEqual([4, 1, 3, 0, 5]);
    expect(Array.from(worstCells(fake, { minExamples: 2 }))).toEqual([1, 3, 0, 5]);
    expect(() => worstCells(fake, { limit: -1 })).toThrow('limit: must be an integer ≥ 0, got -1');
    expect(() => worstCells(fake, { by: 'lower' as 'upper' })).toThrow(
      "by: must be 'delta' or 'upper', got 'lower'",
    );
  });
});
