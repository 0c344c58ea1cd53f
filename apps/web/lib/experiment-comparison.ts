import { ArmFields } from './arm-fields.ts';
import { type ArmKey, armParam } from './arms.ts';
import { EstimateFields } from './estimate-fields.ts';
import { request } from './graphql.ts';
import { graphql, type ResultOf } from './graphql-document.ts';
import type { SearchParams } from './search-params.ts';
import { params } from './search-params.ts';

/** The API's cap (compareExperiments takes 2 to 8); the page refuses more before asking. */
export const MAX_COMPARED = 8;

const CompareExperimentsQuery = graphql(
  `
    query CompareExperiments($experiments: [ExperimentRefInput!]!) {
      compareExperiments(experiments: $experiments, worstLimit: 0) {
        testSetDigest
        examples
        classNames
        correction
        alpha
        experiments {
          experiment {
            id
            name
            dataset
            teacherArchitecture
            studentArchitecture
          }
          stale
          summarized
          alpha
          statistic
          arms {
            ...ArmFields
            accuracy {
              ...EstimateFields
            }
          }
          accuracyDelta
          significance {
            temperature
            sc {
              raw
              holm
              bh
              tested
            }
            tc {
              raw
              holm
              bh
              tested
            }
          }
          groupFairness {
            attribute
            groups
            arms {
              arm {
                ...ArmFields
              }
              dpd {
                ...EstimateFields
              }
              eod {
                ...EstimateFields
              }
            }
          }
        }
        classDeltas {
          referenceId
          experimentId
          role
          temperature
          label
          referenceSeeds
          seeds
          accuracyReference
          accuracy
          delta
          p
          adjustedP
          significantCount
          testedCount
        }
      }
    }
  `,
  [ArmFields, EstimateFields],
);

export type ExperimentComparison = ResultOf<typeof CompareExperimentsQuery>['compareExperiments'];
export type ComparedExperiment = ExperimentComparison['experiments'][number];
export type ClassDelta = ExperimentComparison['classDeltas'][number];

/** Experiments on the same test set side by side; the first is the reference of every delta. */
export async function loadExperimentComparison(
  ids: readonly string[],
): Promise<ExperimentComparison> {
  return (await request(CompareExperimentsQuery, { experiments: ids.map((id) => ({ id })) }))
    .compareExperiments;
}

const ComparableExperimentsQuery = graphql(`
  query ComparableExperiments {
    experiments(first: 100) {
      totalCount
      edges {
        node {
          id
          name
          dataset
          teacherArchitecture
          studentArchitecture
          testSetDigest
          classNames
          createdAt
        }
      }
    }
  }
`);

export type ComparableExperiment = ResultOf<
  typeof ComparableExperimentsQuery
>['experiments']['edges'][number]['node'];

/** The latest 100 experiments with their test set's digest, for the picker. */
export async function loadComparableExperiments(): Promise<{
  experiments: ComparableExperiment[];
  totalCount: number;
}> {
  const { experiments } = await request(ComparableExperimentsQuery, {});
  return { experiments: experiments.edges.map((e) => e.node), totalCount: experiments.totalCount };
}

/**
 * The experiment ids of the URL, in order: `?ids=a,b` or, as the picker's form sends them,
 * `?ids=a&ids=b`. Blank entries are dropped; repeats are kept for the API to refuse by name.
 */
export function comparedIds(query: SearchParams): string[] {
  return params(query, 'ids')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

const roleOrder: Record<string, number> = { teacher: 0, student: 1, distilled: 2 };

/** Every arm any experiment has, teacher, NDS, then distilled by ascending T. */
export function armsOfAll(
  experiments: readonly { arms: readonly (ArmKey & { label: string })[] }[],
): (ArmKey & { key: string; label: string })[] {
  const byKey = new Map<string, ArmKey & { key: string; label: string }>();
  for (const e of experiments) {
    for (const a of e.arms) {
      const key = armParam(a);
      if (!byKey.has(key)) {
        byKey.set(key, { key, role: a.role, temperature: a.temperature, label: a.label });
      }
    }
  }
  return [...byKey.values()].sort(
    (a, b) =>
      (roleOrder[a.role] ?? 3) - (roleOrder[b.role] ?? 3) ||
      (a.temperature ?? 0) - (b.temperature ?? 0),
  );
}
