import { describe, expect, it } from 'vitest';
import { demographicParityDifference, demographicParityRatio } from './demographic-parity.ts';
import { groupIndex } from './group-index.ts';

// Selection rates: group a 3/5 = 0.6, group b 1/5 = 0.2, overall 4/10 = 0.4.
const yTrue = [1, 1, 0, 0, 1, 0, 1, 0, 0, 1];
const yPred = [1, 0, 0, 1, 1, 0, 1, 0, 0, 0];
const sex = ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'];

describe('demographicParityDifference', () => {
  it('between groups: 0.6 − 0.2 = 0.4', () => {
    expect(demographicParityDifference(yTrue, yPred, sex)).toBeCloseTo(0.4, 15);
  });

  it('to overall: max(|0.6 − 0.4|, |0.2 − 0.4|) = 0.2', () => {
    const d = demographicParityDifference(yTrue, yPred, sex, { method: 'to_overall' });
    expect(d).toBeCloseTo(0.2, 15);
  });

  it('with posLabel 0: rates 2/5 and 4/5 → 0.4', () => {
    const d = demographicParityDifference(yTrue, yPred, sex, { posLabel: 0 });
    expect(d).toBeCloseTo(0.4, 15);
  });

  it('is 0 with one group', () => {
    expect(demographicParityDifference(yTrue, yPred, Array(10).fill('all'))).toBe(0);
  });

  it('is the full gap when one group is never selected', () => {
    // a: 2/3 selected, b: none selected
    expect(demographicParityDifference([0, 0, 0, 0, 0], [1, 1, 0, 0, 0], [1, 1, 1, 2, 2])).toBe(
      2 / 3,
    );
  });

  it('ignores yTrue', () => {
    const flipped = yTrue.map((y) => 1 - y);
    expect(demographicParityDifference(flipped, yPred, sex)).toBe(
      demographicParityDifference(yTrue, yPred, sex),
    );
  });

  it('accepts a GroupIndex', () => {
    expect(demographicParityDifference(yTrue, yPred, groupIndex(sex))).toBeCloseTo(0.4, 15);
  });
});

describe('demographicParityRatio', () => {
  it('between groups: 0.2 / 0.6 = 1/3', () => {
    expect(demographicParityRatio(yTrue, yPred, sex)).toBeCloseTo(1 / 3, 15);
  });

  it('to overall: min(1 / (0.6/0.4), 0.2/0.4) = min(2/3, 1/2) = 1/2', () => {
    const r = demographicParityRatio(yTrue, yPred, sex, { method: 'to_overall' });
    expect(r).toBeCloseTo(0.5, 15);
  });

  it('is 1 with one group that has positive predictions', () => {
    expect(demographicParityRatio(yTrue, yPred, Array(10).fill(0))).toBe(1);
  });

  it('is 0 when a group is never selected', () => {
    expect(demographicParityRatio([0, 0, 0, 0], [1, 0, 0, 0], ['a', 'a', 'b', 'b'])).toBe(0);
  });

  it('is NaN when nothing is predicted positive (0/0, as in fairlearn), for both methods', () => {
    const zeros = [0, 0, 0, 0];
    expect(demographicParityRatio(zeros, zeros, ['a', 'a', 'b', 'b'])).toBeNaN();
    expect(
      demographicParityRatio(zeros, zeros, ['a', 'a', 'b', 'b'], { method: 'to_overall' }),
    ).toBeNaN();
    expect(demographicParityRatio(zeros, zeros, ['a', 'a', 'a', 'a'])).toBeNaN();
  });
});

describe('demographic parity input errors', () => {
  it('names the argument', () => {
    expect(() => demographicParityDifference([1], [1, 0], ['a', 'b'])).toThrow(
      'yPred: has 2 elements but yTrue has 1',
    );
    expect(() => demographicParityDifference([1, 0], [1, 0], ['a'])).toThrow(
      'sensitive: has 1 elements but yTrue has 2',
    );
    expect(() => demographicParityRatio([], [], [])).toThrow('yTrue: is empty');
    expect(() => demographicParityRatio([0, 1], [0, Number.NaN], [0, 1])).toThrow('yPred[1]');
    const method = 'overall' as 'to_overall';
    expect(() => demographicParityRatio([1], [1], [1], { method })).toThrow(
      "method: must be 'between_groups' or 'to_overall', got 'overall'",
    );
  });
});
