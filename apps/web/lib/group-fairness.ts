import { ArmFields } from './arm-fields.ts';
import { EstimateFields } from './estimate-fields.ts';
import { request } from './graphql.ts';
import { graphql, type ResultOf } from './graphql-document.ts';

const GroupFairnessQuery = graphql(
  `
    query GroupFairness($id: ID!, $attribute: String!) {
      groupFairness(experimentId: $id, attribute: $attribute) {
        attribute
        groups
        posLabel
        stale
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
          groups {
            group
            count
            accuracy
            selectionRate
            truePositiveRate
            falsePositiveRate
          }
        }
      }
    }
  `,
  [ArmFields, EstimateFields],
);

/** One sensitive attribute's Table 2: `posLabel` is the class the rates binarise at. */
export type GroupFairness = ResultOf<typeof GroupFairnessQuery>['groupFairness'];
export type ArmGroupFairness = GroupFairness['arms'][number];
export type GroupRow = ArmGroupFairness['groups'][number];

/** One sensitive attribute's group fairness (the overview's charts and the Groups page). */
export async function loadGroupFairness(id: string, attribute: string): Promise<GroupFairness> {
  return (await request(GroupFairnessQuery, { id, attribute })).groupFairness;
}
