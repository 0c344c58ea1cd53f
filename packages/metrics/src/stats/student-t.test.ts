import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixture, relativeError } from '../../fixtures/stats/load-fixture.ts';
import { studentTTwoSidedP } from './student-t.ts';

interface SpecialFixture {
  studentT: Array<{ t: number; df: number; p: number; exact: number }>;
}

describe('studentTTwoSidedP', () => {
  it('matches the closed forms for df = 1 (Cauchy) and df = 2', () => {
    // df = 1: P(|T| ≥ t) = 1 − (2/π) atan t = (2/π) atan(1/t)
    for (const t of [0.5, 1, 3, 1e3, 1e8]) {
      expect(relativeError(studentTTwoSidedP(t, 1), (2 / Math.PI) * Math.atan(1 / t))).toBeLessThan(
        1e-14,
      );
    }
    // df = 2: P(|T| ≥ t) = 1 − t/√(2 + t²); exact at t = 1: 1 − 1/√3.
    expect(studentTTwoSidedP(1, 2)).toBeCloseTo(1 - 1 / Math.sqrt(3), 14);
    expect(studentTTwoSidedP(-1, 2)).toBeCloseTo(1 - 1 / Math.sqrt(3), 14);
  });

  it('matches scipy 2·stdtr(df, −|t|) to 1e-12 relative, p down to 1e-300', () => {
    const { studentT } = loadFixture<SpecialFixture>('special.json');
    expect(studentT.some((row) => row.p < 1e-200)).toBe(true);
    for (const { t, df, p } of studentT) {
      expect(relativeError(studentTTwoSidedP(t, df), p), `t = ${t}, df = ${df}`).toBeLessThan(
        1e-12,
      );
    }
  });

  it('matches 40-digit mpmath to 1e-12 relative', () => {
    const { studentT } = loadFixture<SpecialFixture>('special.json');
    for (const { t, df, exact } of studentT) {
      expect(relativeError(studentTTwoSidedP(t, df), exact), `t = ${t}, df = ${df}`).toBeLessThan(
        1e-12,
      );
    }
  });

  it('handles the edges: t = 0, ±∞, NaN, bad df', () => {
    expect(studentTTwoSidedP(0, 3)).toBe(1);
    expect(studentTTwoSidedP(Number.POSITIVE_INFINITY, 3)).toBe(0);
    expect(studentTTwoSidedP(Number.NEGATIVE_INFINITY, 3)).toBe(0);
    expect(studentTTwoSidedP(Number.NaN, 3)).toBeNaN();
    expect(studentTTwoSidedP(2, 0)).toBeNaN();
    expect(studentTTwoSidedP(2, Number.NaN)).toBeNaN();
    // t so large that t² overflows: p ≈ (2/π)/t for df = 1; ln(t²) ≈ 921 limits the precision.
    expect(relativeError(studentTTwoSidedP(1e200, 1), 2 / Math.PI / 1e200)).toBeLessThan(1e-12);
  });

  it('is a probability, symmetric in t, and falls as |t| grows', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0.5, max: 1e5, noNaN: true }),
        (t, df) => {
          const p = studentTTwoSidedP(t, df);
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
          expect(studentTTwoSidedP(-t, df)).toBe(p);
          expect(studentTTwoSidedP(Math.abs(t) * 1.5 + 0.1, df)).toBeLessThanOrEqual(p);
        },
      ),
    );
  });
});
