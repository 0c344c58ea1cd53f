import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { classGroupCounts } from './class-group-counts.ts';
import { groupMetrics } from './group-metrics.ts';
import { intersectionalMetrics } from './intersectional-metrics.ts';

// 12 rows, sex × age; per group (y, ŷ):
// F0: (1,1) (0,0) (1,0)   F1: (0,1) (1,1)   M0: (1,1) (0,0) (0,0) (1,1)   M1: (0,1) (1,0) (0,1)
const sex = ['F', 'F', 'F', 'F', 'F', 'M', 'M', 'M', 'M', 'M', 'M', 'M'];
const age = [0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1];
const yTrue = [1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0];
const yPred = [1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1];

describe('intersectionalMetrics', () => {
  const counts = classGroupCounts(yTrue, yPred, { sex, age }, 2);

  it('gives fairlearn MetricFrame rates per intersection (hand-computed, class 1)', () => {
    const m = intersectionalMetrics(counts, { minGroupSize: 3 });
    expect(m.attributes).toEqual(['sex', 'age']);
    expect(m.posLabel).toBe(1);
    expect(m.minGroupSize).toBe(3);
    // 12 rows, 6 positives, 7 predicted positive, 4 true positives, 7 correct.
    expect(m.overall).toEqual({
      count: 12,
      accuracy: 7 / 12,
      selectionRate: 7 / 12,
      tpr: 4 / 6,
      fpr: 3 / 6,
    });
    expect(m.byGroup).toEqual([
      {
        group: ['F', 0],
        small: false,
        count: 3,
        accuracy: 2 / 3,
        selectionRate: 1 / 3,
        tpr: 1 / 2,
        fpr: 0,
      },
      { group: ['F', 1], small: true, count: 2, accuracy: 1 / 2, selectionRate: 1, tpr: 1, fpr: 1 },
      {
        group: ['M', 0],
        small: false,
        count: 4,
        accuracy: 1,
        selectionRate: 1 / 2,
        tpr: 1,
        fpr: 0,
      },
      {
        group: ['M', 1],
        small: false,
        count: 3,
        accuracy: 0,
        selectionRate: 2 / 3,
        tpr: 0,
        fpr: 1,
      },
    ]);
  });

  it('takes any class as positive (class 0 here)', () => {
    const m = intersectionalMetrics(counts, { posLabel: 0, minGroupSize: 1 });
    // F0 binarised at 0: y = 0,1,0 → 1 positive; ŷ = 0,1,1 → 2 selected; 1 true positive.
    expect(m.byGroup[0]).toEqual({
      group: ['F', 0],
      small: false,
      count: 3,
      accuracy: 2 / 3,
      selectionRate: 2 / 3,
      tpr: 1,
      fpr: 1 / 2,
    });
    expect(m.overall.selectionRate).toBe(5 / 12);
  });

  it('shows an empty intersection with count 0 and NaN rates, as fairlearn’s NaN row', () => {
    // Only (a, 0) and (b, 1) occur.
    const c = classGroupCounts([0, 1, 1], [0, 1, 0], { s: ['a', 'a', 'b'], t: [0, 0, 1] }, 2);
    const m = intersectionalMetrics(c, { minGroupSize: 1 });
    expect(m.byGroup.map((g) => [g.group, g.count, g.small])).toEqual([
      [['a', 0], 2, false],
      [['a', 1], 0, true],
      [['b', 0], 0, true],
      [['b', 1], 1, false],
    ]);
    const empty = m.byGroup[1];
    for (const v of [empty?.accuracy, empty?.selectionRate, empty?.tpr, empty?.fpr]) {
      expect(v).toBeNaN();
    }
  });

  it('with one attribute equals groupMetrics, for every class as positive', () => {
    const rows = fc.array(
      fc.record({
        t: fc.integer({ min: 0, max: 3 }),
        p: fc.integer({ min: 0, max: 3 }),
        g: fc.constantFrom('north', 'south', 'east'),
      }),
      { minLength: 1, maxLength: 60 },
    );
    fc.assert(
      fc.property(rows, fc.integer({ min: 0, max: 3 }), (rs, k) => {
        const t = rs.map((r) => r.t);
        const p = rs.map((r) => r.p);
        const g = rs.map((r) => r.g);
        const m = intersectionalMetrics(classGroupCounts(t, p, { g }, 4), {
          posLabel: k,
          minGroupSize: 1,
        });
        const reference = groupMetrics(t, p, g, { posLabel: k });
        expect(m.overall).toEqual(reference.overall);
        expect(
          m.byGroup.map(({ group, small, ...rest }) => ({ group: group[0], ...rest })),
        ).toEqual(reference.byGroup);
      }),
    );
  });

  it('rejects a positive label that is not a class', () => {
    expect(() => intersectionalMetrics(counts, { posLabel: 2 })).toThrow(
      new MetricsInputError('posLabel', 'must be a class index in [0, 2), got 2'),
    );
    expect(() => intersectionalMetrics(counts, { minGroupSize: 0 })).toThrow(
      'minGroupSize: must be an integer ≥ 1 (1 keeps every non-empty group), got 0',
    );
  });
});
