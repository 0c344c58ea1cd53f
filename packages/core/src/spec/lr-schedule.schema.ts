import { z } from 'zod';

/**
 * The trainer's LrSchedule (apps/trainer/src/engine/training/schedules.ts) in zod, with the checks
 * of its validateSchedule. The trainer counts in optimizer steps; a spec may count milestones and
 * warm-up in epochs instead (see `scheduleUnit` and `scheduleInSteps`). A type-level test in the
 * trainer asserts both types are assignable to each other.
 */
const warmupSteps = z.int().min(0, 'warmupSteps must be an integer >= 0').optional();

export const lrScheduleSchema = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('constant'), warmupSteps }),
  z.strictObject({
    name: z.literal('step'),
    /** From each milestone on, the rate is multiplied by one more factor of gamma. */
    milestones: z.array(z.int().min(0, 'milestones must be integers >= 0')).readonly(),
    gamma: z.number().positive('gamma must be > 0'),
    warmupSteps,
  }),
  z.strictObject({
    name: z.literal('cosine'),
    /** Rate reached at the last step (default 0). */
    minLr: z.number().min(0, 'minLr must be >= 0').optional(),
    warmupSteps,
  }),
]);
export type LrSchedule = z.infer<typeof lrScheduleSchema>;
