import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../fixtures/stats/load-fixture.ts';
import { logBeta, logGamma } from './log-gamma.ts';

interface SpecialFixture {
  logGamma: Array<{ x: number; value: number }>;
  logBeta: Array<{ a: number; b: number; value: number }>;
}

const fixture = loadFixture<SpecialFixture>('special.json');

// Error relative to max(1, |value|): ln Γ crosses 0 at x = 1 and 2, where only absolute
// accuracy is meaningful.
const scaledError = (got: number, want: number) =>
  Math.abs(got - want) / Math.max(1, Math.abs(want));

describe('logGamma', () => {
  it('matches hand values: Γ(1) = Γ(2) = 1, Γ(5) = 24, Γ(½) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(2)).toBeCloseTo(0, 14);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 14);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    // Γ(11) = 10! on the Stirling side of the switch.
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 13);
  });

  it('matches mpmath to 1e-14', () => {
    for (const { x, value } of fixture.logGamma) {
      expect(scaledError(logGamma(x), value), `x = ${x}`).toBeLessThan(1e-14);
    }
  });

  it('is NaN outside x > 0', () => {
    expect(logGamma(0)).toBeNaN();
    expect(logGamma(-1)).toBeNaN();
    expect(logGamma(Number.NaN)).toBeNaN();
  });
});

describe('logBeta', () => {
  it('matches hand values: B(1, 1) = 1, B(2, 3) = 1/12, B(½, ½) = π', () => {
    expect(logBeta(1, 1)).toBeCloseTo(0, 14);
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 14);
    expect(logBeta(0.5, 0.5)).toBeCloseTo(Math.log(Math.PI), 14);
  });

  it('matches mpmath to 1e-14, including b = ½ with a = 10⁶ where scipy 1.10 loses 1e-10', () => {
    for (const { a, b, value } of fixture.logBeta) {
      expect(scaledError(logBeta(a, b), value), `a = ${a}, b = ${b}`).toBeLessThan(1e-14);
    }
  });
});
