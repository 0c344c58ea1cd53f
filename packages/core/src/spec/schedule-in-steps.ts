import type { ModelSpec } from './experiment-spec.schema.ts';
import type { LrSchedule } from './lr-schedule.schema.ts';

/**
 * The trainer's step-based schedule for one arm: milestones and warm-up given in epochs become
 * epoch × stepsPerEpoch, so a recipe like "÷10 at epochs 100 and 150" holds whatever the batch
 * size. stepsPerEpoch is ⌈training examples / batch size⌉, as the trainer's loop counts it.
 */
export function scheduleInSteps(model: ModelSpec, stepsPerEpoch: number): LrSchedule {
  const { schedule } = model;
  if (model.scheduleUnit === 'step') return schedule;
  if (!(Number.isInteger(stepsPerEpoch) && stepsPerEpoch >= 1)) {
    throw new RangeError(`stepsPerEpoch must be an integer >= 1, got ${stepsPerEpoch}`);
  }
  const warmup =
    schedule.warmupSteps === undefined ? {} : { warmupSteps: schedule.warmupSteps * stepsPerEpoch };
  switch (schedule.name) {
    case 'constant':
      return { name: 'constant', ...warmup };
    case 'step':
      return {
        name: 'step',
        milestones: schedule.milestones.map((m) => m * stepsPerEpoch),
        gamma: schedule.gamma,
        ...warmup,
      };
    case 'cosine':
      return { ...schedule, ...warmup };
  }
}
