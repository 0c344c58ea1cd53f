import type { StudyOptions, StudySummary } from '@kdlens/metrics';
import { z } from 'zod';

// JSON has no NaN: jsonb stores a NaN (an sd over one seed, an undefined CI) as null. Reading a
// stored summary back through this schema turns those nulls into NaN again, so what the API gets
// equals what summarizeStudy returned, and a malformed row fails loudly instead of rendering.
const num = z
  .number()
  .nullable()
  .transform((v) => v ?? Number.NaN);

const estimate = z.object({
  mean: num,
  sd: num,
  lower: num,
  upper: num,
  values: z.array(num),
});
const armKey = {
  role: z.enum(['teacher', 'student', 'distilled']),
  temperature: z.number().nullable(),
};
const counts = z.object({ raw: z.number(), holm: z.number(), bh: z.number(), tested: z.number() });

export const studySummarySchema: z.ZodType<StudySummary> = z.object({
  numClasses: z.number(),
  examples: z.number(),
  alpha: z.number(),
  statistic: z.enum(['normalized', 'difference', 'raw']),
  arms: z.array(z.object({ ...armKey, seeds: z.array(z.number()), accuracy: estimate })),
  significance: z.array(
    z.object({ temperature: z.number(), sc: counts.nullable(), tc: counts.nullable() }),
  ),
  groupFairness: z.array(
    z.object({
      attribute: z.string(),
      groups: z.array(z.union([z.string(), z.number()])),
      arms: z.array(z.object({ ...armKey, dpd: estimate, eod: estimate })),
    }),
  ),
  individualFairness: z
    .array(z.object({ ...armKey, lipschitz: estimate.nullable(), consistency: estimate }))
    .nullable(),
});

// What summarizeStudy was given; loose, so an option a later version adds survives a read-back.
export const studyOptionsSchema: z.ZodType<StudyOptions> = z.looseObject({
  alpha: z.number().optional(),
  statistic: z.enum(['normalized', 'difference', 'raw']).optional(),
  posLabel: z.number().optional(),
  bootstrap: z
    .looseObject({
      iterations: z.number().optional(),
      confidence: z.number().optional(),
      seed: z.number().optional(),
    })
    .optional(),
  individual: z
    .looseObject({
      k: z.number().optional(),
      pairs: z
        .union([z.literal('all'), z.looseObject({ sample: z.number(), seed: z.number() })])
        .optional(),
      distance: z.enum(['euclidean', 'cosine']).optional(),
    })
    .optional(),
});
