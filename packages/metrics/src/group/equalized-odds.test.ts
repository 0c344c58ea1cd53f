import { describe, expect, it } from 'vitest';
import { equalOpportunityDifference, equalOpportunityRatio } from './equal-opportunity.ts';
import { equalizedOddsDifference, equalizedOddsRatio } from './equalized-odds.ts';

// Group a: TPR 2/3, FPR 1/2. Group b: TPR 1/2, FPR 0. Overall: TPR 3/5, FPR 1/5.
const yTrue = [1, 1, 0, 0, 1, 0, 1, 0, 0, 1];
const yPred = [1, 0, 0, 1, 1, 0, 1, 0, 0, 0];
const sex = ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'];

describe('equalizedOddsDifference', () => {
  it('worst case between groups: max(2/3 − 1/2, 1/2 − 0) = 1/2', () => {
    expect(equalizedOddsDifference(yTrue, yPred, sex)).toBeCloseTo(0.5, 15);
  });

  it('mean between groups: (1/6 + 1/2) / 2 = 1/3', () => {
    const d = equalizedOddsDifference(yTrue, yPred, sex, { agg: 'mean' });
    expect(d).toBeCloseTo(1 / 3, 15);
  });

  it('to overall: TPR max(|2/3 − 3/5|, |1/2 − 3/5|) = 1/10, FPR max(3/10, 1/5) = 3/10', () => {
    const worst = equalizedOddsDifference(yTrue, yPred, sex, { method: 'to_overall' });
    const mean = equalizedOddsDifference(yTrue, yPred, sex, { method: 'to_overall', agg: 'mean' });
    expect(worst).toBeCloseTo(0.3, 15);
    expect(mean).toBeCloseTo(0.2, 15);
  });

  it('is 0 with one group', () => {
    expect(equalizedOddsDifference(yTrue, yPred, Array(10).fill(1))).toBe(0);
  });

  it('counts a group with no positives as TPR 0 (fairlearn)', () => {
    // a: positives 0,1 both found → TPR 1, FPR 0; b: no positives → TPR 0, FPR 1/2
    const d = equalizedOddsDifference([1, 1, 0, 0, 0], [1, 1, 0, 1, 0], [0, 0, 0, 1, 1]);
    expect(d).toBe(1);
  });

  it('counts a group with no negatives as FPR 0 (fairlearn)', () => {
    // a (yTrue 1 1, yPred 1 0): TPR 1/2, no negatives → FPR 0;
    // b (yTrue 1 0 0, yPred 1 1 0): TPR 1, FPR 1/2 → max(1/2, 1/2)
    const s = ['a', 'a', 'b', 'b', 'b'];
    expect(equalizedOddsDifference([1, 1, 1, 0, 0], [1, 0, 1, 1, 0], s)).toBe(0.5);
  });
});

describe('equalizedOddsRatio', () => {
  it('worst case between groups: min((1/2)/(2/3), 0/(1/2)) = 0', () => {
    expect(equalizedOddsRatio(yTrue, yPred, sex)).toBe(0);
  });

  it('mean between groups: (3/4 + 0) / 2 = 3/8', () => {
    expect(equalizedOddsRatio(yTrue, yPred, sex, { agg: 'mean' })).toBeCloseTo(3 / 8, 15);
  });

  it('to overall: TPR min(1/(10/9), 5/6) = 5/6, FPR min(1/2.5, 0) = 0', () => {
    const o = { method: 'to_overall' } as const;
    expect(equalizedOddsRatio(yTrue, yPred, sex, o)).toBe(0);
    expect(equalizedOddsRatio(yTrue, yPred, sex, { ...o, agg: 'mean' })).toBeCloseTo(5 / 12, 15);
  });

  it('is 1 with one group that has a true and a false positive', () => {
    expect(equalizedOddsRatio([1, 0, 1], [1, 1, 0], ['g', 'g', 'g'])).toBe(1);
  });

  it('is the TPR ratio when no group has a false positive (FPR ratio 0/0)', () => {
    // a: TPR 1/2, b: TPR 1; FPR 0 everywhere
    const yT = [1, 1, 0, 1, 0];
    const yP = [1, 0, 0, 1, 0];
    const s = ['a', 'a', 'a', 'b', 'b'];
    expect(equalizedOddsRatio(yT, yP, s)).toBe(0.5);
    expect(equalizedOddsRatio(yT, yP, s, { agg: 'mean' })).toBe(0.5);
  });

  it('is NaN when no group has a true positive (TPR ratio 0/0), but mean keeps the FPR ratio', () => {
    // TPR 0 everywhere; FPR a 1, b 1/2
    const yT = [1, 0, 1, 0, 0];
    const yP = [0, 1, 0, 1, 0];
    const s = ['a', 'a', 'b', 'b', 'b'];
    expect(equalizedOddsRatio(yT, yP, s)).toBeNaN();
    expect(equalizedOddsRatio(yT, yP, s, { agg: 'mean' })).toBe(0.5);
  });

  it('is NaN when nothing is predicted positive', () => {
    expect(equalizedOddsRatio([1, 0, 1, 0], [0, 0, 0, 0], [1, 1, 2, 2])).toBeNaN();
    expect(equalizedOddsRatio([1, 0, 1, 0], [0, 0, 0, 0], [1, 1, 2, 2], { agg: 'mean' })).toBeNaN();
  });

  it('rejects an unknown agg', () => {
    const agg = 'max' as 'mean';
    expect(() => equalizedOddsRatio([1], [1], [1], { agg })).toThrow(
      "agg: must be 'worst_case' or 'mean', got 'max'",
    );
    expect(() => equalizedOddsDifference([1], [1], [1], { agg })).toThrow('agg:');
  });
});

describe('equalOpportunityDifference / Ratio', () => {
  it('between groups: TPR 2/3 vs 1/2 → difference 1/6, ratio 3/4', () => {
    expect(equalOpportunityDifference(yTrue, yPred, sex)).toBeCloseTo(1 / 6, 15);
    expect(equalOpportunityRatio(yTrue, yPred, sex)).toBeCloseTo(3 / 4, 15);
  });

  it('to overall: difference 1/10, ratio 5/6', () => {
    const o = { method: 'to_overall' } as const;
    expect(equalOpportunityDifference(yTrue, yPred, sex, o)).toBeCloseTo(0.1, 15);
    expect(equalOpportunityRatio(yTrue, yPred, sex, o)).toBeCloseTo(5 / 6, 15);
  });

  it('one group → 0 and 1; no true positives → ratio NaN', () => {
    expect(equalOpportunityDifference([1, 0], [1, 1], ['g', 'g'])).toBe(0);
    expect(equalOpportunityRatio([1, 0], [1, 1], ['g', 'g'])).toBe(1);
    expect(equalOpportunityRatio([1, 1], [0, 0], ['g', 'h'])).toBeNaN();
  });
});
