import { describe, expect, it } from 'vitest';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { falsePositiveRate, rateOrZero, selectionRate, truePositiveRate } from './rates.ts';

// 10 rows: positives at 0,1,4,6,9 (5); predicted positive at 0,3,4,6 (4).
// TP = {0,4,6} = 3, FP = {3} = 1, negatives = 5.
const yTrue = [1, 1, 0, 0, 1, 0, 1, 0, 0, 1];
const yPred = [1, 0, 0, 1, 1, 0, 1, 0, 0, 0];

describe('selectionRate', () => {
  it('is the share predicted positive, 4/10', () => {
    expect(selectionRate(yTrue, yPred)).toBe(0.4);
  });

  it('ignores yTrue values and binarises at posLabel', () => {
    expect(selectionRate([9, 9, 9], [2, 0, 2], { posLabel: 2 })).toBeCloseTo(2 / 3, 15);
    expect(selectionRate(yTrue, yPred, { posLabel: 0 })).toBe(0.6);
  });
});

describe('truePositiveRate', () => {
  it('is TP / positives, 3/5', () => {
    expect(truePositiveRate(yTrue, yPred)).toBe(0.6);
  });

  it('is 0 with no positives (fairlearn: 0/0 row of the normalised confusion matrix)', () => {
    expect(truePositiveRate([0, 0, 0], [1, 0, 1])).toBe(0);
  });

  it('counts any label other than posLabel as negative', () => {
    // positives (label 2) at 0 and 3; predicted 2 at 0 and 1 → TPR 1/2
    expect(truePositiveRate([2, 0, 1, 2], [2, 2, 1, 0], { posLabel: 2 })).toBe(0.5);
  });
});

describe('falsePositiveRate', () => {
  it('is FP / negatives, 1/5', () => {
    expect(falsePositiveRate(yTrue, yPred)).toBe(0.2);
  });

  it('is 0 with no negatives', () => {
    expect(falsePositiveRate([1, 1], [0, 1])).toBe(0);
  });

  it('accepts typed arrays and {-1, 1} labels', () => {
    // negatives at 1, 2; predicted 1 at 1 → FPR 1/2
    expect(falsePositiveRate(Int8Array.from([1, -1, -1]), Int8Array.from([1, 1, -1]))).toBe(0.5);
  });
});

describe('rate input errors', () => {
  it('names the argument and first bad index', () => {
    expect(() => selectionRate([], [])).toThrow(MetricsInputError);
    expect(() => selectionRate([], [])).toThrow('yTrue: is empty');
    expect(() => truePositiveRate([1, 0], [1])).toThrow('yPred: has 1 elements but yTrue has 2');
    expect(() => falsePositiveRate([1, 0, 1], [1, Number.NaN, 0])).toThrow(
      'yPred[1]: NaN is not a finite number',
    );
    expect(() => selectionRate([Number.NaN], [1])).toThrow('yTrue[0]: NaN is not a finite number');
    expect(() => truePositiveRate([1], [1], { posLabel: Number.NaN })).toThrow(
      'posLabel: NaN is not a finite number',
    );
  });
});

describe('rateOrZero', () => {
  it('reads 0/0 as 0', () => {
    expect(rateOrZero(0, 0)).toBe(0);
    expect(rateOrZero(1, 4)).toBe(0.25);
  });
});
