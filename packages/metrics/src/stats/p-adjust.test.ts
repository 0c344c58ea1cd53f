import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixture, relativeError } from '../../fixtures/stats/load-fixture.ts';
import { adjustPValues, type PAdjustMethod } from './p-adjust.ts';

interface MultitestFixture {
  cases: Array<{ p: number[]; bonferroni: number[]; holm: number[]; bh: number[] }>;
}

const METHODS: PAdjustMethod[] = ['bonferroni', 'holm', 'bh'];

describe('adjustPValues', () => {
  it('adjusts four p-values by hand', () => {
    // Sorted: 0.005 (#3), 0.01 (#0), 0.03 (#2), 0.04 (#1); m = 4.
    const p = [0.01, 0.04, 0.03, 0.005];
    // Bonferroni: 4p.
    expectClose(adjustPValues(p, 'bonferroni'), [0.04, 0.16, 0.12, 0.02]);
    // Holm: 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, 1·0.04 = 0.04 → running max
    // 0.02, 0.03, 0.06, 0.06.
    expectClose(adjustPValues(p, 'holm'), [0.03, 0.06, 0.06, 0.02]);
    // BH: p/(k/4): 0.02, 0.02, 0.04, 0.04 → running min from the top: 0.02, 0.02, 0.04, 0.04.
    expectClose(adjustPValues(p, 'bh'), [0.02, 0.04, 0.04, 0.02]);
  });

  it('matches statsmodels multipletests (ties, 0s, 1s, capping) to 1e-12', () => {
    const { cases } = loadFixture<MultitestFixture>('multitest.json');
    for (const row of cases) {
      for (const method of METHODS) {
        const got = adjustPValues(row.p, method);
        row[method].forEach((want, i) => {
          expect(relativeError(got[i] as number, want), `${method} [${row.p}] #${i}`).toBeLessThan(
            1e-12,
          );
        });
      }
    }
  });

  it('keeps NaN as NaN and leaves it out of m', () => {
    const got = adjustPValues([0.01, Number.NaN, 0.02], 'bonferroni');
    expect(got[0]).toBeCloseTo(0.02, 15);
    expect(got[1]).toBeNaN();
    expect(got[2]).toBeCloseTo(0.04, 15);
    expectClose(
      adjustPValues([Number.NaN, 0.01, 0.04, 0.03, 0.005], 'holm').subarray(1),
      [0.03, 0.06, 0.06, 0.02],
    );
    expect(adjustPValues([], 'bh')).toEqual(new Float64Array(0));
  });

  it('rejects p outside [0, 1] naming the first bad index, and unknown methods', () => {
    expect(() => adjustPValues([0.5, 1.5, -1], 'holm')).toThrow(
      'p[1]: 1.5 is not a p-value in [0, 1]',
    );
    expect(() => adjustPValues([0.5, Number.POSITIVE_INFINITY], 'bh')).toThrow('p[1]');
    expect(() => adjustPValues([0.5], 'fdr_by' as PAdjustMethod)).toThrow(
      'method: must be one of bonferroni, holm, bh, got fdr_by',
    );
  });

  const pValues = fc.array(
    fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.01, 0.05, 1)),
    { minLength: 1, maxLength: 40 },
  );

  it('keeps adjusted values in [0, 1] and at least the raw p', () => {
    fc.assert(
      fc.property(pValues, (p) => {
        for (const method of METHODS) {
          const adjusted = adjustPValues(p, method);
          adjusted.forEach((v, i) => {
            expect(v).toBeGreaterThanOrEqual(p[i] as number);
            expect(v).toBeLessThanOrEqual(1);
          });
        }
      }),
    );
  });

  it('orders the methods: raw ≤ BH ≤ Holm ≤ Bonferroni', () => {
    // BH ≤ Holm: the BH value at rank k is ≤ (m/k)·p₍ₖ₎ ≤ (m − k + 1)·p₍ₖ₎ because
    // k(m − k + 1) − m = (k − 1)(m − k) ≥ 0, and Holm's running max only raises the latter.
    fc.assert(
      fc.property(pValues, (p) => {
        const bh = adjustPValues(p, 'bh');
        const holm = adjustPValues(p, 'holm');
        const bonferroni = adjustPValues(p, 'bonferroni');
        p.forEach((_, i) => {
          expect(bh[i] as number).toBeLessThanOrEqual((holm[i] as number) * (1 + 1e-15));
          expect(holm[i] as number).toBeLessThanOrEqual(bonferroni[i] as number);
        });
      }),
    );
  });

  it('is monotone in the raw p order (Holm and BH)', () => {
    fc.assert(
      fc.property(pValues, (p) => {
        for (const method of ['holm', 'bh'] as const) {
          const adjusted = adjustPValues(p, method);
          for (let i = 0; i < p.length; i++) {
            for (let j = 0; j < p.length; j++) {
              if ((p[i] as number) <= (p[j] as number)) {
                expect(adjusted[i] as number).toBeLessThanOrEqual(adjusted[j] as number);
              }
            }
          }
        }
      }),
    );
  });
});

function expectClose(got: Float64Array, want: number[]): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    expect(got[i], `#${i}`).toBeCloseTo(w, 15);
  });
}
