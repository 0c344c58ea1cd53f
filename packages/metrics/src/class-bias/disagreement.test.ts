import { describe, expect, it } from 'vitest';
import { disagreement } from './disagreement.ts';

describe('disagreement', () => {
  it('is the per-class share of differing predictions (by hand)', () => {
    // Class 0 (3 examples): predictions differ on #1 only → 1/3.
    // Class 1 (2 examples): both differ (once with A right, once with both wrong) → 1.
    // Class 2: no examples → NaN.
    const yTrue = [0, 0, 0, 1, 1];
    const yPredA = [0, 1, 2, 1, 0];
    const yPredB = [0, 0, 2, 0, 2];
    const d = disagreement(yPredA, yPredB, yTrue, 3);
    expect(d[0]).toBeCloseTo(1 / 3, 15);
    expect(d[1]).toBe(1);
    expect(d[2]).toBeNaN();
  });

  it('is 0 for a model compared with itself', () => {
    const y = Int32Array.from([2, 0, 1, 1]);
    expect(Array.from(disagreement(y, y, [0, 0, 1, 2], 3))).toEqual([0, 0, 0]);
  });

  it('names the bad argument and index', () => {
    expect(() => disagreement([0, 1], [0, 1, 1], [0, 1], 2)).toThrow(
      'yPredB: has 3 elements but yTrue has 2',
    );
    expect(() => disagreement([0, 5], [0, 1], [0, 1], 2)).toThrow(
      'yPredA[1]: 5 is not a class index in [0, 2)',
    );
    expect(() => disagreement([0, 1], [0, 1], [0, -1], 2)).toThrow('yTrue[1]');
  });
});
