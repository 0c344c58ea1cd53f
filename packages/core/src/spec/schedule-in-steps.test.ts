import { describe, expect, it } from 'vitest';
import { modelSpecSchema } from './experiment-spec.schema.ts';
import { scheduleInSteps } from './schedule-in-steps.ts';

const base = { architecture: 'resnet20', epochs: 164, batchSize: 128, learningRate: 0.1 } as const;

describe('scheduleInSteps', () => {
  it('turns epoch milestones into steps: CIFAR 45,000 / 128 → 352 steps per epoch', () => {
    const model = modelSpecSchema.parse({
      ...base,
      schedule: { name: 'step', milestones: [82, 123], gamma: 0.1, warmupSteps: 1 },
    });
    // ⌈45000 / 128⌉ = 352; 82 × 352 = 28,864; 123 × 352 = 43,296.
    expect(scheduleInSteps(model, 352)).toEqual({
      name: 'step',
      milestones: [28_864, 43_296],
      gamma: 0.1,
      warmupSteps: 352,
    });
  });

  it('passes step-counted schedules through', () => {
    const schedule = { name: 'cosine', minLr: 0.001, warmupSteps: 10 } as const;
    const model = modelSpecSchema.parse({ ...base, schedule, scheduleUnit: 'step' });
    expect(scheduleInSteps(model, 352)).toEqual(schedule);
  });
});
