import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixture, relativeError } from '../../fixtures/stats/load-fixture.ts';
import { studentTTwoSidedP } from './student-t.ts';
import { studentTQuantile } from './student-t-quantile.ts';

interface QuantileFixture {
  quantiles: Array<{ p: number; df: number; t: number; exact: number }>;
}

describe('studentTQuantile', () => {
  it('matches the closed forms for df = 1 (Cauchy) and df = 2', () => {
    for (const p of [0.975, 0.995, 0.6, 0.75, 0.999999, 0.01, 0.3]) {
      // df = 1: t = tan(π(p − 1/2)) = −1/tan(πp) = 1/tan(π(1 − p)), written so that the
      // tangent's argument is small and exact near p = 0 and p = 1.
      const t1 = p < 0.5 ? -1 / Math.tan(Math.PI * p) : 1 / Math.tan(Math.PI * (1 - p));
      expect(relativeError(studentTQuantile(p, 1), t1), `p = ${p}`).toBeLessThan(1e-13);
      // df = 2: t = (2p − 1) / √(2p(1 − p))
      expect(
        relativeError(studentTQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p))),
      ).toBeLessThan(1e-13);
    }
  });

  it('gives the t-table values used for 95 % intervals', () => {
    // Student's t table, 97.5th percentile: df 4 → 2.776, df 9 → 2.262, df 30 → 2.042; to 16
    // digits from 40-digit mpmath (scipy 1.10 gives 2.2621571627409915 at df 9, 2.5e-11 off:
    // its p there is 0.0500000000047).
    const table: [number, number, number][] = [
      [4, 2.776, 2.7764451051977943],
      [9, 2.262, 2.2621571627982053],
      [30, 2.042, 2.042272456301238],
    ];
    for (const [df, printed, exact] of table) {
      expect(studentTQuantile(0.975, df)).toBeCloseTo(printed, 3);
      expect(relativeError(studentTQuantile(0.975, df), exact)).toBeLessThan(1e-15);
    }
  });

  it('matches 40-digit mpmath to 1e-12 relative, tails down to 1e-300 and near the median', () => {
    const { quantiles } = loadFixture<QuantileFixture>('student_t_quantile.json');
    expect(quantiles.length).toBeGreaterThan(500);
    for (const { p, df, exact } of quantiles) {
      expect(relativeError(studentTQuantile(p, df), exact), `p = ${p}, df = ${df}`).toBeLessThan(
        1e-12,
      );
    }
  });

  it('matches scipy t.ppf to scipy’s own accuracy where scipy is accurate', () => {
    // scipy 1.10's stdtrit is good to ~5e-9 relative and gives up in the far tails (it returns
    // −1e100 for p = 1e-100 at df = 0.5): those rows are checked against mpmath above only.
    const { quantiles } = loadFixture<QuantileFixture>('student_t_quantile.json');
    const good = quantiles.filter((q) => relativeError(q.t, q.exact) < 1e-8);
    expect(good.length).toBeGreaterThan(500);
    for (const { p, df, t } of good) {
      expect(relativeError(studentTQuantile(p, df), t), `p = ${p}, df = ${df}`).toBeLessThan(1e-8);
    }
  });

  it('inverts studentTTwoSidedP', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-12, max: 0.999, noNaN: true }),
        fc.double({ min: 0.2, max: 1e6, noNaN: true }),
        (tail, df) => {
          // The lower tail p = tail/2 is exact in floating point; 1 − tail/2 would round.
          const t = studentTQuantile(tail / 2, df);
          expect(t).toBeLessThanOrEqual(0);
          expect(relativeError(studentTTwoSidedP(t, df), tail)).toBeLessThan(1e-12);
        },
      ),
    );
  });

  it('is odd in p − 1/2 and increasing in p', () => {
    fc.assert(
      fc.property(
        // p = k / 2^20, so that 1 − p is exact and both calls see the same tail.
        fc.integer({ min: 1, max: 2 ** 19 - 600 }).map((k) => k / 2 ** 20),
        fc.double({ min: 0.5, max: 1000, noNaN: true }),
        (p, df) => {
          expect(studentTQuantile(p, df)).toBe(-studentTQuantile(1 - p, df));
          expect(studentTQuantile(p, df)).toBeLessThan(studentTQuantile(p + 0.0005, df));
        },
      ),
    );
  });

  it('handles the edges', () => {
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(studentTQuantile(1, 3)).toBe(Number.POSITIVE_INFINITY);
    expect(studentTQuantile(0, 3)).toBe(Number.NEGATIVE_INFINITY);
    for (const [p, df] of [
      [Number.NaN, 3],
      [1.5, 3],
      [-0.1, 3],
      [0.9, 0],
      [0.9, -1],
      [0.9, Number.NaN],
      [0.9, Number.POSITIVE_INFINITY],
    ] as const) {
      expect(studentTQuantile(p, df), `p = ${p}, df = ${df}`).toBeNaN();
    }
  });
});
