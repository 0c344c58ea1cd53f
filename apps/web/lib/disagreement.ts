import { ArmFields } from './arm-fields.ts';
import { type ArmKey, armInput } from './arms.ts';
import { EstimateFields } from './estimate-fields.ts';
import { request } from './graphql.ts';
import { graphql, type ResultOf } from './graphql-document.ts';

const DisagreementPairsQuery = graphql(
  `
    query DisagreementPairs($id: ID!) {
      disagreementPairs(experimentId: $id) {
        a {
          ...ArmFields
        }
        b {
          ...ArmFields
        }
        seeds
        overall {
          ...EstimateFields
        }
      }
    }
  `,
  [ArmFields, EstimateFields],
);

const DisagreementQuery = graphql(
  `
    query Disagreement($id: ID!, $a: ArmInput!, $b: ArmInput!) {
      disagreement(experimentId: $id, a: $a, b: $b) {
        a {
          ...ArmFields
        }
        b {
          ...ArmFields
        }
        seeds
        overallEstimate {
          ...EstimateFields
        }
        rows {
          classIndex
          className
          examples
          estimate {
            ...EstimateFields
          }
        }
      }
    }
  `,
  [ArmFields, EstimateFields],
);

export type DisagreementPair = ResultOf<typeof DisagreementPairsQuery>['disagreementPairs'][number];
export type Disagreement = ResultOf<typeof DisagreementQuery>['disagreement'];
export type DisagreementRow = Disagreement['rows'][number];

/** Every arm pair with a seed in common and its overall disagreement over those seeds. */
export async function loadDisagreementPairs(id: string): Promise<DisagreementPair[]> {
  return (await request(DisagreementPairsQuery, { id })).disagreementPairs;
}

/** Per class disagreement of one arm pair, over their common seeds. */
export async function loadDisagreement(id: string, a: ArmKey, b: ArmKey): Promise<Disagreement> {
  return (await request(DisagreementQuery, { id, a: armInput(a), b: armInput(b) })).disagreement;
}
