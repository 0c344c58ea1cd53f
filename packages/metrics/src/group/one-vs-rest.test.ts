import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demographicParityDifference, demographicParityRatio } from './demographic-parity.ts';
import { equalOpportunityDifference, equalOpportunityRatio } from './equal-opportunity.ts';
import { equalizedOddsDifference, equalizedOddsRatio } from './equalized-odds.ts';
import { groupIndex } from './group-index.ts';
import { type BinaryGroupMetric, oneVsRest } from './one-vs-rest.ts';

const METRICS: Record<string, BinaryGroupMetric> = {
  demographicParityDifference,
  demographicParityRatio,
  equalizedOddsDifference,
  equalizedOddsRatio,
  equalOpportunityDifference,
  equalOpportunityRatio,
  equalizedOddsMeanToOverall: (t, p, s, o) =>
    equalizedOddsDifference(t, p, s, { ...o, agg: 'mean', method: 'to_overall' }),
  equalizedOddsRatioMeanToOverall: (t, p, s, o) =>
    equalizedOddsRatio(t, p, s, { ...o, agg: 'mean', method: 'to_overall' }),
  demographicParityRatioToOverall: (t, p, s, o) =>
    demographicParityRatio(t, p, s, { ...o, method: 'to_overall' }),
};

describe('oneVsRest', () => {
  it('averages DPD over classes (hand-computed, 3 classes)', () => {
    // group a rows 0-2 predict 0,1,2; group b rows 3-5 predict 0,0,1.
    // class 0: a 1/3, b 2/3 → 1/3; class 1: a 1/3, b 1/3 → 0; class 2: a 1/3, b 0 → 1/3.
    const yTrue = [0, 1, 2, 0, 1, 2];
    const yPred = [0, 1, 2, 0, 0, 1];
    const s = ['a', 'a', 'a', 'b', 'b', 'b'];
    const r = oneVsRest(demographicParityDifference, yTrue, yPred, s, 3);
    expect(r.perClass[0]).toBeCloseTo(1 / 3, 15);
    expect(r.perClass[1]).toBe(0);
    expect(r.perClass[2]).toBeCloseTo(1 / 3, 15);
    expect(r.mean).toBeCloseTo(2 / 9, 15);
    expect(r.max).toBeCloseTo(1 / 3, 15);
  });

  it('leaves NaN classes out of mean and max; an absent class scores difference 0', () => {
    // class 2 never occurs: DPR 0/0 = NaN there, DPD 0.
    const yTrue = [0, 1, 0, 1];
    const yPred = [0, 1, 1, 1];
    const s = [1, 1, 2, 2];
    const ratio = oneVsRest(demographicParityRatio, yTrue, yPred, s, 3);
    // class 0: a 1/2, b 0 → 0; class 1: a 1/2, b 1 → 1/2
    expect(Array.from(ratio.perClass)).toEqual([0, 0.5, Number.NaN]);
    expect(ratio.mean).toBe(0.25);
    expect(ratio.max).toBe(0.5);
    const diff = oneVsRest(demographicParityDifference, yTrue, yPred, s, 3);
    expect(Array.from(diff.perClass)).toEqual([0.5, 0.5, 0]);
    expect(diff.mean).toBeCloseTo(1 / 3, 15);
  });

  it('skips a NaN class, and is NaN when every class is NaN', () => {
    // class 0: every row selected in both groups → 1; class 1: never selected → 0/0
    const r = oneVsRest(demographicParityRatio, [0, 0], [0, 0], ['a', 'b'], 2);
    expect(Array.from(r.perClass)).toEqual([1, Number.NaN]);
    expect(r.mean).toBe(1);
    expect(r.max).toBe(1);
    const allNaN = oneVsRest(() => Number.NaN, [0], [0], ['a'], 1);
    expect(allNaN.mean).toBeNaN();
    expect(allNaN.max).toBeNaN();
  });

  it('posLabel = c equals the metric on labels binarised at c (property, every metric)', () => {
    const data = fc.integer({ min: 1, max: 5 }).chain((k) =>
      fc.record({
        k: fc.constant(k),
        rows: fc.array(
          fc.record({
            t: fc.integer({ min: 0, max: k - 1 }),
            p: fc.integer({ min: 0, max: k - 1 }),
            g: fc.constantFrom('x', 'y', 'z'),
          }),
          { minLength: 1, maxLength: 40 },
        ),
      }),
    );
    fc.assert(
      fc.property(data, ({ k, rows }) => {
        const yTrue = rows.map((r) => r.t);
        const yPred = rows.map((r) => r.p);
        const s = rows.map((r) => r.g);
        for (const [name, metric] of Object.entries(METRICS)) {
          const r = oneVsRest(metric, yTrue, yPred, s, k);
          for (let c = 0; c < k; c++) {
            const bt = yTrue.map((y) => (y === c ? 1 : 0));
            const bp = yPred.map((y) => (y === c ? 1 : 0));
            expect(r.perClass[c], `${name} class ${c}`).toBe(metric(bt, bp, s, { posLabel: 1 }));
          }
        }
      }),
    );
  });

  it('accepts a GroupIndex', () => {
    const yTrue = [0, 1, 2, 2];
    const yPred = [0, 2, 2, 1];
    const s = ['u', 'v', 'u', 'v'];
    expect(oneVsRest(equalizedOddsDifference, yTrue, yPred, groupIndex(s), 3)).toEqual(
      oneVsRest(equalizedOddsDifference, yTrue, yPred, s, 3),
    );
  });

  it('rejects labels outside [0, numClasses) and bad numClasses', () => {
    expect(() => oneVsRest(demographicParityDifference, [0, 3], [0, 0], ['a', 'b'], 3)).toThrow(
      'yTrue[1]: 3 is not a class index in [0, 3)',
    );
    expect(() =>
      oneVsRest(demographicParityDifference, [0, 1], [0, Number.NaN], ['a', 'b'], 3),
    ).toThrow('yPred[1]: NaN is not a class index');
    expect(() => oneVsRest(demographicParityDifference, [0], [0], ['a'], 0)).toThrow(
      'numClasses: must be a positive integer, got 0',
    );
    expect(() => oneVsRest(demographicParityDifference, [0, 1], [0, 1], ['a'], 2)).toThrow(
      'sensitive: has 1 elements but yTrue has 2',
    );
    expect(() => oneVsRest(demographicParityDifference, [], [], [], 2)).toThrow('yTrue: is empty');
  });
});
