import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import type { Labels, Sensitive } from '../input/validate.ts';
import { classGroupCounts } from './class-group-counts.ts';
import { demographicParityDifference, demographicParityRatio } from './demographic-parity.ts';
import type { DisparityMethod } from './disparity.ts';
import {
  type EqualizedOddsAggregation,
  equalizedOddsDifference,
  equalizedOddsRatio,
} from './equalized-odds.ts';
import type { GroupIndex } from './group-index.ts';
import { intersectionIndex } from './intersection-index.ts';
import { intersectionalDisparity } from './intersectional-disparity.ts';
import { DEFAULT_MIN_GROUP_SIZE } from './min-group-size.ts';
import { oneVsRest } from './one-vs-rest.ts';

// The 12 rows of intersectional-metrics.test.ts; class-1 rates per group:
//        n  selection  TPR  FPR
// F0     3  1/3        1/2  0
// F1     2  1          1    1
// M0     4  1/2        1    0
// M1     3  2/3        0    1
// all   12  7/12       2/3  1/2
const sex = ['F', 'F', 'F', 'F', 'F', 'M', 'M', 'M', 'M', 'M', 'M', 'M'];
const age = [0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1];
const yTrue = [1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0];
const yPred = [1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1];
const counts = classGroupCounts(yTrue, yPred, { sex, age }, 2);

describe('intersectionalDisparity, hand-computed', () => {
  it('compares every non-empty group with minGroupSize 1 (fairlearn)', () => {
    const d = intersectionalDisparity(counts, { minGroupSize: 1 });
    expect(d.positive).toBe(1);
    expect(d.comparedGroups).toBe(4);
    expect(d.smallGroups).toEqual([]);
    // selection 1 − 1/3; TPR 1 − 0 and FPR 1 − 0 → 1
    expect(d.demographicParityDifference.value).toBeCloseTo(2 / 3, 15);
    expect(d.demographicParityRatio.value).toBeCloseTo(1 / 3, 15);
    expect(d.equalizedOddsDifference.value).toBe(1);
    expect(d.equalizedOddsRatio.value).toBe(0);
    // to_overall: max |selection − 7/12| is F1's 5/12.
    const o = intersectionalDisparity(counts, { minGroupSize: 1, method: 'to_overall' });
    expect(o.demographicParityDifference.value).toBeCloseTo(5 / 12, 15);
  });

  it('leaves groups under minGroupSize out, against the overall of all rows', () => {
    const d = intersectionalDisparity(counts, { minGroupSize: 3 });
    expect(d.minGroupSize).toBe(3);
    expect(d.comparedGroups).toBe(3);
    expect(d.smallGroups).toEqual([{ group: ['F', 1], count: 2 }]);
    // F0, M0, M1: selection 1/3, 1/2, 2/3 → 1/3; ratio (1/3)/(2/3)
    expect(d.demographicParityDifference.value).toBeCloseTo(1 / 3, 15);
    expect(d.demographicParityRatio.value).toBeCloseTo(1 / 2, 15);
    expect(d.equalizedOddsDifference.value).toBe(1);
    const o = intersectionalDisparity(counts, { minGroupSize: 3, method: 'to_overall' });
    // |1/3 − 7/12| = 1/4 is the largest; ratios 4/7, 6/7, 7/8 → 4/7.
    expect(o.demographicParityDifference.value).toBeCloseTo(1 / 4, 15);
    expect(o.demographicParityRatio.value).toBeCloseTo(4 / 7, 15);
    // TPR |1/2 − 2/3|, |1 − 2/3|, |0 − 2/3| → 2/3; FPR all 1/2 away from 1/2 → 1/2.
    expect(o.equalizedOddsDifference.value).toBeCloseTo(2 / 3, 15);
    const mean = intersectionalDisparity(counts, {
      minGroupSize: 3,
      method: 'to_overall',
      agg: 'mean',
    });
    expect(mean.equalizedOddsDifference.value).toBeCloseTo((2 / 3 + 1 / 2) / 2, 15);
  });

  it('with one group left: difference 0, ratio 1 (fairlearn on one group); with none: NaN', () => {
    const one = intersectionalDisparity(counts, { minGroupSize: 4 });
    expect(one.comparedGroups).toBe(1);
    expect(one.demographicParityDifference.value).toBe(0);
    expect(one.demographicParityRatio.value).toBe(1);
    // to_overall still compares M0 (1/2) with all rows (7/12).
    const toOverall = intersectionalDisparity(counts, { minGroupSize: 4, method: 'to_overall' });
    expect(toOverall.demographicParityDifference.value).toBeCloseTo(1 / 12, 15);
    const none = intersectionalDisparity(counts, { minGroupSize: 5 });
    expect(none.comparedGroups).toBe(0);
    expect(none.smallGroups.map((g) => g.count)).toEqual([3, 2, 4, 3]);
    for (const key of [
      'demographicParityDifference',
      'demographicParityRatio',
      'equalizedOddsDifference',
      'equalizedOddsRatio',
    ] as const) {
      expect(Array.from(none[key].perClass)).toEqual([Number.NaN, Number.NaN]);
      expect(none[key].value).toBeNaN();
    }
  });

  it(`defaults to minGroupSize ${DEFAULT_MIN_GROUP_SIZE}, class 1 for two classes, mean for more`, () => {
    const d = intersectionalDisparity(counts);
    expect(d.minGroupSize).toBe(30);
    expect(d.comparedGroups).toBe(0);
    const three = classGroupCounts([0, 1, 2, 2], [0, 2, 2, 1], { s: ['a', 'a', 'b', 'b'] }, 3);
    const m = intersectionalDisparity(three, { minGroupSize: 1 });
    expect(m.positive).toBe('mean');
    // selection per class: class 0 a 1/2 b 0; class 1 a 0 b 1/2; class 2 a 1/2 b 1/2
    expect(Array.from(m.demographicParityDifference.perClass)).toEqual([0.5, 0.5, 0]);
    expect(m.demographicParityDifference.value).toBeCloseTo(1 / 3, 15);
    expect(m.demographicParityDifference.max).toBe(0.5);
    const k = intersectionalDisparity(three, { minGroupSize: 1, positive: 2 });
    expect(k.demographicParityDifference.value).toBe(0);
  });

  it('rejects bad options', () => {
    expect(() => intersectionalDisparity(counts, { positive: 2 })).toThrow(
      new MetricsInputError('positive', "must be 'mean' or a class index in [0, 2), got 2"),
    );
    expect(() => intersectionalDisparity(counts, { minGroupSize: 2.5 })).toThrow('minGroupSize');
    expect(() =>
      intersectionalDisparity(counts, { method: 'worst' as unknown as DisparityMethod }),
    ).toThrow("method: must be 'between_groups' or 'to_overall', got 'worst'");
  });
});

interface Row {
  t: number;
  p: number;
  a: number;
  b: string;
}
const NUM_CLASSES = 3;
const rowsArb = fc.array(
  fc.record({
    t: fc.integer({ min: 0, max: NUM_CLASSES - 1 }),
    p: fc.integer({ min: 0, max: NUM_CLASSES - 1 }),
    a: fc.integer({ min: 0, max: 2 }),
    b: fc.constantFrom('x', 'y'),
  }),
  { minLength: 1, maxLength: 70 },
);
const methodArb = fc.constantFrom<DisparityMethod>('between_groups', 'to_overall');
const aggArb = fc.constantFrom<EqualizedOddsAggregation>('worst_case', 'mean');
const columns = (rows: Row[]) => ({
  yTrue: rows.map((r) => r.t),
  yPred: rows.map((r) => r.p),
  a: rows.map((r) => r.a),
  b: rows.map((r) => r.b),
});

type Metric = (t: Labels, p: Labels, s: Sensitive | GroupIndex, o: object) => number;
const REFERENCES: Record<
  | 'demographicParityDifference'
  | 'demographicParityRatio'
  | 'equalizedOddsDifference'
  | 'equalizedOddsRatio',
  Metric
> = {
  demographicParityDifference,
  demographicParityRatio,
  equalizedOddsDifference,
  equalizedOddsRatio,
};

describe('intersectionalDisparity properties', () => {
  it('one attribute, every class: the single-attribute functions, bit for bit', () => {
    fc.assert(
      fc.property(rowsArb, methodArb, aggArb, (rows, method, agg) => {
        const { yTrue, yPred, a } = columns(rows);
        const d = intersectionalDisparity(classGroupCounts(yTrue, yPred, { a }, NUM_CLASSES), {
          method,
          agg,
          minGroupSize: 1,
        });
        for (const [name, metric] of Object.entries(REFERENCES)) {
          const key = name as keyof typeof REFERENCES;
          for (let k = 0; k < NUM_CLASSES; k++) {
            expect(d[key].perClass[k], `${name} class ${k}`).toBe(
              metric(yTrue, yPred, a, { posLabel: k, method, agg }),
            );
          }
          // The study's multi-class number: oneVsRest's mean.
          const ovr = oneVsRest(
            (t, p, s, o) => metric(t, p, s, { ...o, method, agg }),
            yTrue,
            yPred,
            a,
            NUM_CLASSES,
          );
          expect(d[key].value, name).toBe(ovr.mean);
          expect(d[key].max, name).toBe(ovr.max);
        }
      }),
    );
  });

  it('two attributes with minGroupSize 1 = one attribute holding the joint value', () => {
    fc.assert(
      fc.property(rowsArb, methodArb, aggArb, (rows, method, agg) => {
        const { yTrue, yPred, a, b } = columns(rows);
        const joint = rows.map((r) => `${r.a}|${r.b}`);
        const d = intersectionalDisparity(classGroupCounts(yTrue, yPred, { a, b }, NUM_CLASSES), {
          method,
          agg,
          minGroupSize: 1,
        });
        for (const [name, metric] of Object.entries(REFERENCES)) {
          const key = name as keyof typeof REFERENCES;
          for (let k = 0; k < NUM_CLASSES; k++) {
            expect(d[key].perClass[k], `${name} class ${k}`).toBe(
              metric(yTrue, yPred, joint, { posLabel: k, method, agg }),
            );
          }
        }
      }),
    );
  });

  it('between_groups with a minimum size = the same metric on the rows of the large groups', () => {
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: 1, max: 12 }), aggArb, (rows, min, agg) => {
        const { yTrue, yPred, a, b } = columns(rows);
        const index = intersectionIndex({ a, b });
        const d = intersectionalDisparity(classGroupCounts(yTrue, yPred, index, NUM_CLASSES), {
          agg,
          minGroupSize: min,
        });
        const keep = rows.flatMap((_, i) =>
          (index.counts[index.codes[i] as number] as number) >= min ? [i] : [],
        );
        expect(d.comparedGroups + d.smallGroups.length).toBe(index.groups.length);
        if (keep.length === 0) {
          expect(d.comparedGroups).toBe(0);
          expect(d.demographicParityDifference.mean).toBeNaN();
          return;
        }
        const pick = <T>(values: T[]) => keep.map((i) => values[i] as T);
        const joint = pick(rows.map((r) => `${r.a}|${r.b}`));
        for (const [name, metric] of Object.entries(REFERENCES)) {
          const key = name as keyof typeof REFERENCES;
          for (let k = 0; k < NUM_CLASSES; k++) {
            expect(d[key].perClass[k], `${name} class ${k}`).toBe(
              metric(pick(yTrue), pick(yPred), joint, { posLabel: k, agg }),
            );
          }
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
      fc.property(
        shuffled,
        methodArb,
        fc.integer({ min: 1, max: 8 }),
        ([rows, perm], method, min) => {
          const x = columns(rows);
          const y = columns(perm);
          const options = { method, minGroupSize: min };
          expect(
            intersectionalDisparity(
              classGroupCounts(y.yTrue, y.yPred, { a: y.a, b: y.b }, 3),
              options,
            ),
          ).toEqual(
            intersectionalDisparity(
              classGroupCounts(x.yTrue, x.yPred, { a: x.a, b: x.b }, 3),
              options,
            ),
          );
        },
      ),
    );
  });

  it('differences lie in [0, 1], ratios in [0, 1] or NaN', () => {
    fc.assert(
      fc.property(rowsArb, methodArb, aggArb, (rows, method, agg) => {
        const { yTrue, yPred, a, b } = columns(rows);
        const d = intersectionalDisparity(classGroupCounts(yTrue, yPred, { a, b }, NUM_CLASSES), {
          method,
          agg,
          minGroupSize: 2,
        });
        for (const key of ['demographicParityDifference', 'equalizedOddsDifference'] as const) {
          for (const v of d[key].perClass) {
            expect(Number.isNaN(v) ? d.comparedGroups === 0 : v >= 0 && v <= 1).toBe(true);
          }
        }
        for (const key of ['demographicParityRatio', 'equalizedOddsRatio'] as const) {
          for (const v of d[key].perClass) expect(Number.isNaN(v) || (v >= 0 && v <= 1)).toBe(true);
        }
      }),
    );
  });
});
