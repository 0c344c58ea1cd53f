import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixture, relativeError } from '../../fixtures/stats/load-fixture.ts';
import { regularizedIncompleteBeta } from './incomplete-beta.ts';

interface SpecialFixture {
  incompleteBeta: Array<{ x: number; a: number; b: number; value: number }>;
}

describe('regularizedIncompleteBeta', () => {
  it('matches closed forms: I_x(1, 1) = x, I_x(a, 1) = xᵃ, I_x(1, b) = 1 − (1−x)ᵇ', () => {
    expect(regularizedIncompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(regularizedIncompleteBeta(0.3, 2.5, 1)).toBeCloseTo(0.3 ** 2.5, 14);
    expect(regularizedIncompleteBeta(0.3, 1, 4)).toBeCloseTo(1 - 0.7 ** 4, 14);
    // I_x(½, ½) = (2/π) asin √x
    expect(regularizedIncompleteBeta(0.25, 0.5, 0.5)).toBeCloseTo(
      (2 / Math.PI) * Math.asin(0.5),
      14,
    );
  });

  it('matches mpmath to 1e-12 relative (values down to 1e-100)', () => {
    const { incompleteBeta } = loadFixture<SpecialFixture>('special.json');
    for (const { x, a, b, value } of incompleteBeta) {
      const got = regularizedIncompleteBeta(x, a, b);
      expect(relativeError(got, value), `I_${x}(${a}, ${b})`).toBeLessThan(1e-12);
    }
  });

  it('is 0 at x = 0, 1 at x = 1, NaN outside the domain', () => {
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
    expect(regularizedIncompleteBeta(1.5, 2, 3)).toBeNaN();
    expect(regularizedIncompleteBeta(0.5, 0, 3)).toBeNaN();
  });

  it('satisfies the symmetry I_x(a, b) = 1 − I_{1−x}(b, a)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.double({ min: 0.1, max: 200, noNaN: true }),
        fc.double({ min: 0.1, max: 200, noNaN: true }),
        (x, a, b) => {
          const left = regularizedIncompleteBeta(x, a, b);
          const right = 1 - regularizedIncompleteBeta(1 - x, b, a);
          expect(left).toBeGreaterThanOrEqual(0);
          expect(left).toBeLessThanOrEqual(1);
          expect(Math.abs(left - right)).toBeLessThan(1e-13);
        },
      ),
    );
  });
});
