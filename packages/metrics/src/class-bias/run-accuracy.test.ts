import { describe, expect, it } from 'vitest';
import { runAccuracy } from './run-accuracy.ts';

describe('runAccuracy', () => {
  it('gives per-class and overall accuracy in one pass (by hand)', () => {
    // Class 0: 2 of 3 right; class 1: 1 of 2; class 2 absent. Overall 3/5.
    const { perClass, overall } = runAccuracy(
      { yTrue: [0, 0, 0, 1, 1], yPred: [0, 2, 0, 1, 0] },
      3,
      'run',
    );
    expect(perClass[0]).toBeCloseTo(2 / 3, 15);
    expect(perClass[1]).toBe(0.5);
    expect(perClass[2]).toBeNaN();
    expect(overall).toBe(0.6);
  });

  it('names the run in errors', () => {
    expect(() => runAccuracy({ yTrue: [], yPred: [] }, 2, 'armB[0]')).toThrow(
      'armB[0].yTrue: is empty',
    );
  });
});
