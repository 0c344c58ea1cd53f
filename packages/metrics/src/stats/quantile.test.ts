import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../fixtures/stats/load-fixture.ts';
import { quantileSorted } from './quantile.ts';

interface QuantileFixture {
  cases: Array<{ sorted: number[]; q: number[]; expected: number[] }>;
}

describe('quantileSorted', () => {
  it('interpolates linearly between order statistics (by hand)', () => {
    // x = [1, 2, 3, 4, 10], n − 1 = 4. q = 0.1: h = 0.4 → 1 + 0.4·(2 − 1) = 1.4.
    // q = 0.975: h = 3.9 → 4 + 0.9·(10 − 4) = 9.4.
    const x = [1, 2, 3, 4, 10];
    expect(quantileSorted(x, 0.1)).toBeCloseTo(1.4, 14);
    expect(quantileSorted(x, 0.975)).toBeCloseTo(9.4, 14);
    expect(quantileSorted(x, 0.5)).toBe(3);
    expect(quantileSorted(x, 0)).toBe(1);
    expect(quantileSorted(x, 1)).toBe(10);
  });

  it('matches numpy.quantile (method="linear") to the last bit', () => {
    const { cases } = loadFixture<QuantileFixture>('quantile.json');
    for (const { sorted, q, expected } of cases) {
      q.forEach((qi, i) => {
        expect(quantileSorted(sorted, qi), `n ${sorted.length}, q ${qi}`).toBe(expected[i]);
      });
    }
  });

  it('is NaN for an empty array or q outside [0, 1]', () => {
    expect(quantileSorted([], 0.5)).toBeNaN();
    expect(quantileSorted([1, 2], 1.5)).toBeNaN();
    expect(quantileSorted([1, 2], Number.NaN)).toBeNaN();
  });
});
