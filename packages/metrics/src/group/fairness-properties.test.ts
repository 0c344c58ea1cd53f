import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Sensitive } from '../input/validate.ts';
import { demographicParityDifference, demographicParityRatio } from './demographic-parity.ts';
import type { DisparityOptions } from './disparity.ts';
import { equalOpportunityDifference, equalOpportunityRatio } from './equal-opportunity.ts';
import {
  type EqualizedOddsOptions,
  equalizedOddsDifference,
  equalizedOddsRatio,
} from './equalized-odds.ts';

interface Row {
  t: number;
  p: number;
  g: number;
}

const NAMES = ['north', 'south', 'east', 'west'] as const;
const bit = fc.integer({ min: 0, max: 1 });
const rowsArb = fc.array(fc.record({ t: bit, p: bit, g: fc.integer({ min: 0, max: 3 }) }), {
  minLength: 1,
  maxLength: 60,
});
const optionsArb: fc.Arbitrary<EqualizedOddsOptions> = fc.record({
  method: fc.constantFrom('between_groups' as const, 'to_overall' as const),
  agg: fc.constantFrom('worst_case' as const, 'mean' as const),
});

type Metric = (yT: number[], yP: number[], s: Sensitive, o: EqualizedOddsOptions) => number;
const DIFFERENCES: Record<string, Metric> = {
  demographicParityDifference,
  equalizedOddsDifference,
  equalOpportunityDifference,
};
const RATIOS: Record<string, Metric> = {
  demographicParityRatio,
  equalizedOddsRatio,
  equalOpportunityRatio,
};
const ALL: Record<string, Metric> = { ...DIFFERENCES, ...RATIOS };

const columns = (rows: Row[]) => ({
  yTrue: rows.map((r) => r.t),
  yPred: rows.map((r) => r.p),
  sensitive: rows.map((r) => r.g),
});

describe('group fairness properties', () => {
  it('differences lie in [0, 1]', () => {
    fc.assert(
      fc.property(rowsArb, optionsArb, (rows, o) => {
        const { yTrue, yPred, sensitive } = columns(rows);
        for (const [name, metric] of Object.entries(DIFFERENCES)) {
          const v = metric(yTrue, yPred, sensitive, o);
          expect(v >= 0 && v <= 1, `${name} = ${v}`).toBe(true);
        }
      }),
    );
  });

  it('ratios lie in [0, 1], or are NaN (0/0)', () => {
    fc.assert(
      fc.property(rowsArb, optionsArb, (rows, o) => {
        const { yTrue, yPred, sensitive } = columns(rows);
        for (const [name, metric] of Object.entries(RATIOS)) {
          const v = metric(yTrue, yPred, sensitive, o);
          expect(Number.isNaN(v) || (v >= 0 && v <= 1), `${name} = ${v}`).toBe(true);
        }
      }),
    );
  });

  it('demographic parity ratio is NaN exactly when nothing is predicted positive', () => {
    fc.assert(
      fc.property(rowsArb, optionsArb, (rows, o) => {
        const { yTrue, yPred, sensitive } = columns(rows);
        const none = yPred.every((p) => p !== 1);
        expect(Number.isNaN(demographicParityRatio(yTrue, yPred, sensitive, o))).toBe(none);
      }),
    );
  });

  it('to_overall difference ≤ between_groups difference (overall is a weighted group mean)', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const { yTrue, yPred, sensitive } = columns(rows);
        for (const metric of Object.values(DIFFERENCES)) {
          const between = metric(yTrue, yPred, sensitive, { method: 'between_groups' });
          const toOverall = metric(yTrue, yPred, sensitive, { method: 'to_overall' });
          expect(toOverall).toBeLessThanOrEqual(between + 1e-15);
        }
      }),
    );
  });

  it('equalized odds: worst case ≥ mean ≥ 0, and ≥ equal opportunity', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const { yTrue, yPred, sensitive } = columns(rows);
        const worst = equalizedOddsDifference(yTrue, yPred, sensitive);
        const mean = equalizedOddsDifference(yTrue, yPred, sensitive, { agg: 'mean' });
        expect(worst).toBeGreaterThanOrEqual(mean);
        expect(worst).toBeGreaterThanOrEqual(equalOpportunityDifference(yTrue, yPred, sensitive));
      }),
    );
  });

  it('renaming groups (any bijection, to strings) changes nothing', () => {
    const names = fc.shuffledSubarray([...NAMES], { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(rowsArb, names, optionsArb, (rows, perm, o) => {
        const { yTrue, yPred, sensitive } = columns(rows);
        const renamed = sensitive.map((g) => perm[g] as string);
        const reversed = sensitive.map((g) => 10 - g);
        for (const [name, metric] of Object.entries(ALL)) {
          const v = metric(yTrue, yPred, sensitive, o);
          expect(metric(yTrue, yPred, renamed, o), name).toBe(v);
          expect(metric(yTrue, yPred, reversed, o), name).toBe(v);
        }
      }),
    );
  });

  it('permuting rows changes nothing', () => {
    const shuffled = rowsArb.chain((rows) =>
      fc
        .shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length })
        .map((perm) => [rows, perm] as const),
    );
    fc.assert(
      fc.property(shuffled, optionsArb, ([rows, perm], o) => {
        const a = columns(rows);
        const b = columns(perm);
        for (const [name, metric] of Object.entries(ALL)) {
          expect(metric(b.yTrue, b.yPred, b.sensitive, o), name).toBe(
            metric(a.yTrue, a.yPred, a.sensitive, o),
          );
        }
      }),
    );
  });

  it('one group: every difference is 0, every ratio 1 or NaN', () => {
    fc.assert(
      fc.property(rowsArb, optionsArb, (rows, o) => {
        const { yTrue, yPred } = columns(rows);
        const one = rows.map(() => 'everyone');
        for (const metric of Object.values(DIFFERENCES)) {
          expect(metric(yTrue, yPred, one, o)).toBe(0);
        }
        for (const metric of Object.values(RATIOS)) {
          const v = metric(yTrue, yPred, one, o);
          expect(Number.isNaN(v) || v === 1).toBe(true);
        }
      }),
    );
  });

  it('demographic parity ignores yTrue', () => {
    fc.assert(
      fc.property(rowsArb, fc.array(bit, { minLength: 60, maxLength: 60 }), (rows, other) => {
        const { yTrue, yPred, sensitive } = columns(rows);
        const o: DisparityOptions = {};
        const alt = yTrue.map((_, i) => other[i] as number);
        expect(demographicParityDifference(alt, yPred, sensitive, o)).toBe(
          demographicParityDifference(yTrue, yPred, sensitive, o),
        );
      }),
    );
  });
});
