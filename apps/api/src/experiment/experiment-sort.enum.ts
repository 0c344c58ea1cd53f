import type { ExperimentSortKey, SortOrder } from '@kdlens/core/db';
import { registerEnumType } from 'type-graphql';

/** GraphQL names of core's ExperimentSortKey. */
export const ExperimentSortEnum = {
  CREATED_AT: 'createdAt',
  TEACHER_ACCURACY: 'teacherAccuracy',
  NDS_ACCURACY: 'ndsAccuracy',
  BEST_DISTILLED_ACCURACY: 'bestDistilledAccuracy',
  MAX_DPD: 'maxDpd',
} as const satisfies Record<string, ExperimentSortKey>;
registerEnumType(ExperimentSortEnum, {
  name: 'ExperimentSort',
  description:
    'What the experiments list is ordered by: creation time, or a number of Experiment.headline. Experiments without that number come last in either order; ties go by creation time in the same order.',
});

export const SortOrderEnum = { ASC: 'asc', DESC: 'desc' } as const satisfies Record<
  string,
  SortOrder
>;
registerEnumType(SortOrderEnum, { name: 'SortOrder' });
