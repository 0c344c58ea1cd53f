import { experimentSpecSchema } from '@kdlens/core';
import type { ExperimentSpecType } from './experiment-spec.type.ts';

/**
 * A stored spec as the typed ExperimentSpec, or null where it is not one: an import records its
 * source files instead, and a spec stored before a schema change may no longer parse. Parsed
 * again (not cast) so the typed fields are exactly what the schema says; parsing a defaulted
 * spec changes nothing but `pairs: 'all'`, which the GraphQL type shows as null.
 */
export function typedSpec(json: Record<string, unknown>): ExperimentSpecType | null {
  const parsed = experimentSpecSchema.safeParse(json);
  if (!parsed.success) return null;
  const spec = parsed.data;
  const individual = spec.evaluation.individualFairness;
  return {
    ...spec,
    evaluation: {
      ...spec.evaluation,
      individualFairness: {
        ...individual,
        pairs: individual.pairs === 'all' ? null : individual.pairs,
      },
    },
  };
}
