import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupIndex } from './group-index.ts';
import { groupMetrics, type SliceMetrics } from './group-metrics.ts';

// Group a (rows 0-4): yTrue 1 1 0 0 1, yPred 1 0 0 1 1
//   count 5; correct rows 0,2,4 → accuracy 3/5; predicted 3 → selection 3/5;
//   positives 3, TP 2 → TPR 2/3; negatives 2, FP 1 → FPR 1/2.
// Group b (rows 5-9): yTrue 0 1 0 0 1, yPred 0 1 0 0 0
//   count 5; correct rows 5,6,7,8 → 4/5; predicted 1 → 1/5; positives 2, TP 1 → 1/2;
//   negatives 3, FP 0 → 0.
// Overall: accuracy 7/10, selection 4/10, TPR 3/5, FPR 1/5.
const yTrue = [1, 1, 0, 0, 1, 0, 1, 0, 0, 1];
const yPred = [1, 0, 0, 1, 1, 0, 1, 0, 0, 0];
const sex = ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'];

function expectSlice(actual: SliceMetrics | undefined, expected: SliceMetrics): void {
  if (actual === undefined) throw new Error('missing slice');
  for (const key of ['count', 'accuracy', 'selectionRate', 'tpr', 'fpr'] as const) {
    expect(actual[key], key).toBeCloseTo(expected[key], 14);
  }
}

describe('groupMetrics', () => {
  it('matches the hand calculation (2 groups x 5 rows)', () => {
    const m = groupMetrics(yTrue, yPred, sex);
    expectSlice(m.overall, {
      count: 10,
      accuracy: 0.7,
      selectionRate: 0.4,
      tpr: 0.6,
      fpr: 0.2,
    });
    expect(m.byGroup.map((g) => g.group)).toEqual(['a', 'b']);
    const [a, b] = m.byGroup;
    expectSlice(a, {
      count: 5,
      accuracy: 3 / 5,
      selectionRate: 3 / 5,
      tpr: 2 / 3,
      fpr: 1 / 2,
    });
    expectSlice(b, {
      count: 5,
      accuracy: 4 / 5,
      selectionRate: 1 / 5,
      tpr: 1 / 2,
      fpr: 0,
    });
  });

  it('gives TPR 0 to a group with no positives and FPR 0 to one with no negatives', () => {
    const m = groupMetrics([0, 0, 1, 1], [1, 0, 0, 1], [1, 1, 2, 2]);
    expect(m.byGroup.map((g) => [g.tpr, g.fpr])).toEqual([
      [0, 0.5],
      [0.5, 0],
    ]);
  });

  it('scores accuracy on raw labels but rates at posLabel', () => {
    // posLabel 2: predicted 2 at rows 0, 2; positives (2) at rows 0, 1.
    const m = groupMetrics([2, 2, 0, 1], [2, 1, 2, 1], ['g', 'g', 'g', 'g'], { posLabel: 2 });
    expect(m.overall).toEqual({ count: 4, accuracy: 0.5, selectionRate: 0.5, tpr: 0.5, fpr: 0.5 });
  });

  it('reuses a GroupIndex', () => {
    expect(groupMetrics(yTrue, yPred, groupIndex(sex))).toEqual(groupMetrics(yTrue, yPred, sex));
  });

  it('counts the same through the lookup table, the Map and a GroupIndex (property)', () => {
    const rows = fc.array(
      fc.record({
        t: fc.integer({ min: 0, max: 2 }),
        p: fc.integer({ min: 0, max: 2 }),
        g: fc.integer({ min: -2, max: 3 }),
      }),
      { minLength: 1, maxLength: 50 },
    );
    fc.assert(
      fc.property(rows, (rs) => {
        const t = rs.map((r) => r.t);
        const p = rs.map((r) => r.p);
        const s = rs.map((r) => r.g);
        const viaTable = groupMetrics(t, p, s);
        expect(groupMetrics(t, p, groupIndex(s))).toEqual(viaTable);
        // A wide span (1e5 apart) leaves the table path; groups move but metrics do not.
        const wide = groupMetrics(
          t,
          p,
          s.map((g) => g * 1e5),
        );
        expect(wide.overall).toEqual(viaTable.overall);
        expect(wide.byGroup.map(({ group, ...m }) => m)).toEqual(
          viaTable.byGroup.map(({ group, ...m }) => m),
        );
      }),
    );
  });

  it('rejects bad input, naming the argument', () => {
    expect(() => groupMetrics([], [], [])).toThrow('yTrue: is empty');
    expect(() => groupMetrics([1, 0], [1, 0], ['a'])).toThrow(
      'sensitive: has 1 elements but yTrue has 2',
    );
    expect(() => groupMetrics([1, 0], [1, 0], groupIndex(['a']))).toThrow(
      'sensitive: has 1 elements but yTrue has 2',
    );
    expect(() => groupMetrics([1, Number.NaN], [1, 0], ['a', 'b'])).toThrow('yTrue[1]');
    expect(() => groupMetrics([1, 0], [1, 0], ['a', Number.NaN])).toThrow('sensitive[1]');
    // integer feature (lookup-table path) validates labels too
    expect(() => groupMetrics([1, 0, 1], [1, 0, Number.POSITIVE_INFINITY], [0, 1, 1])).toThrow(
      'yPred[2]: Infinity is not a finite number',
    );
  });
});
