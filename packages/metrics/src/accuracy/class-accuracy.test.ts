import { describe, expect, it } from 'vitest';
import { accuracy, classAccuracy } from './class-accuracy.ts';

describe('classAccuracy', () => {
  it('counts hits per true class (hand-computed)', () => {
    // class 0: 2 of 3 right; class 1: 1 of 2; class 2: no examples
    const yTrue = [0, 0, 0, 1, 1];
    const yPred = [0, 2, 0, 1, 0];
    const acc = classAccuracy(yTrue, yPred, 3);
    expect(acc[0]).toBeCloseTo(2 / 3, 15);
    expect(acc[1]).toBe(0.5);
    expect(acc[2]).toBeNaN();
  });

  it('accepts typed arrays', () => {
    const acc = classAccuracy(Int32Array.from([1, 1]), Uint8Array.from([1, 0]), 2);
    expect(Array.from(acc)).toEqual([Number.NaN, 0.5]);
  });

  it('names the bad element', () => {
    expect(() => classAccuracy([0, 3], [0, 0], 3)).toThrow(
      'yTrue[1]: 3 is not a class index in [0, 3)',
    );
    expect(() => classAccuracy([0], [0, 1], 3)).toThrow('yPred: has 2 elements but yTrue has 1');
  });
});

describe('accuracy', () => {
  it('is the share of matches', () => {
    expect(accuracy([0, 1, 2, 2], [0, 1, 1, 2])).toBe(0.75);
    expect(accuracy([], [])).toBeNaN();
  });
});
