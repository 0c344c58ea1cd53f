import { describe, expect, it } from 'vitest';
import { learningRateAt, validateSchedule } from './schedules.ts';

describe('learningRateAt', () => {
  it('constant returns the base rate at every step', () => {
    for (const step of [0, 5, 99])
      expect(learningRateAt(step, 100, 0.1, { name: 'constant' })).toBe(0.1);
  });

  it('step multiplies by gamma once per milestone reached (milestones in steps)', () => {
    const s = { name: 'step', milestones: [10, 20], gamma: 0.1 } as const;
    expect(learningRateAt(9, 30, 1, s)).toBe(1);
    expect(learningRateAt(10, 30, 1, s)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(19, 30, 1, s)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(20, 30, 1, s)).toBeCloseTo(0.01, 12);
  });

  it('cosine starts at base, is halfway at mid-run and ends at minLr', () => {
    const s = { name: 'cosine', minLr: 0.1 } as const;
    // T = 11 steps → p = step / 10.
    expect(learningRateAt(0, 11, 1, s)).toBeCloseTo(1, 12);
    expect(learningRateAt(5, 11, 1, s)).toBeCloseTo(0.55, 12); // 0.1 + 0.9·(1 + cos(π/2))/2
    // T = 9, step 2 → p = 0.25: 0.1 + 0.9·(1 + √2/2)/2 = 0.86819805…
    expect(learningRateAt(2, 9, 1, s)).toBeCloseTo(0.86819805, 8);
    expect(learningRateAt(10, 11, 1, s)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(10, 11, 1, { name: 'cosine' })).toBeCloseTo(0, 12);
  });

  it('warm-up ramps linearly to the base, then the schedule takes over', () => {
    const c = { name: 'constant', warmupSteps: 4 } as const;
    [0.2, 0.4, 0.6, 0.8, 0.8].forEach((want, step) => {
      expect(learningRateAt(step, 10, 0.8, c)).toBeCloseTo(want, 12);
    });
    // Cosine after 2 warm-up steps anneals over steps 2..10 (span 8): step 6 is p = 0.5.
    const cos = { name: 'cosine', warmupSteps: 2 } as const;
    expect(learningRateAt(0, 11, 1, cos)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(2, 11, 1, cos)).toBeCloseTo(1, 12);
    expect(learningRateAt(6, 11, 1, cos)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(10, 11, 1, cos)).toBeCloseTo(0, 12);
  });

  it('rejects malformed schedules', () => {
    expect(() => validateSchedule({ name: 'step', milestones: [1.5], gamma: 0.1 })).toThrow(
      /milestones/,
    );
    expect(() => validateSchedule({ name: 'step', milestones: [1], gamma: 0 })).toThrow(/gamma/);
    expect(() => validateSchedule({ name: 'constant', warmupSteps: -1 })).toThrow(/warmupSteps/);
  });
});
