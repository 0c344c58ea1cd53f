import { describe, expect, it } from 'vitest';
import { mean, sampleVariance } from './sample-moments.ts';

describe('mean and sampleVariance', () => {
  it('match hand values', () => {
    // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, Σ(x − 5)² = 32, s² = 32/7.
    const x = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(x)).toBe(5);
    expect(sampleVariance(x)).toBeCloseTo(32 / 7, 14);
  });

  it('keep the spread under a large offset (two passes)', () => {
    const x = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    // Deviations −6, −3, 3, 6 → Σ = 90, s² = 30.
    expect(sampleVariance(x)).toBe(30);
  });

  it('are NaN when undefined', () => {
    expect(mean([])).toBeNaN();
    expect(sampleVariance([3])).toBeNaN();
  });
});
