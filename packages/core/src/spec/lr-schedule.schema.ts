import { z } from 'zod';

/**
 * The trainer's LrSchedule (apps/trainer/src/engine/training/schedules.ts) in zod, with the checks
 * of its validateSchedule. The trainer counts in optimizer steps; a spec may count milestones and
 * warm-up in epochs instead (see `scheduleUnit` and `scheduleInSteps`). A type-level test in the
 * trainer asserts both types are assignable to each other.
 */
const warmupSteps = z
  .int()
  .min(0, 'warmupSteps must be an integer >= 0')
  .optional()
  .describe('linear warm-up from 0 over this many steps (or epochs, see `scheduleUnit`)');

export const lrScheduleSchema = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('constant').describe('the base rate throughout'), warmupSteps }),
  z.strictObject({
    name: z.literal('step').describe('the rate drops by a factor at each milestone'),
    milestones: z
      .array(z.int().min(0, 'milestones must be integers >= 0'))
      .readonly()
      .describe('from each milestone on, the rate is multiplied by one more factor of gamma'),
    gamma: z.number().positive('gamma must be > 0').describe('the factor, e.g. 0.1'),
    warmupSteps,
  }),
  z.strictObject({
    name: z.literal('cosine').describe('cosine decay from the base rate to `minLr`'),
    minLr: z
      .number()
      .min(0, 'minLr must be >= 0')
      .optional()
      .describe('rate reached at the last step (default 0)'),
    warmupSteps,
  }),
]);
export type LrSchedule = z.infer<typeof lrScheduleSchema>;
