import { z } from 'zod';
import { graphql } from './graphql.ts';
import { groupFairnessSchema } from './schemas.ts';

const GROUP_FAIRNESS_QUERY = /* GraphQL */ `
  query GroupFairness($id: ID!, $attribute: String!) {
    groupFairness(experimentId: $id, attribute: $attribute) {
      attribute groups posLabel stale
      arms {
        arm { role temperature label seeds }
        dpd { mean sd lower upper values }
        eod { mean sd lower upper values }
        groups { group count accuracy selectionRate truePositiveRate falsePositiveRate }
      }
    }
  }
`;

const responseSchema = z.object({ groupFairness: groupFairnessSchema });

/** One sensitive attribute's group fairness (the overview's charts and the Groups page). */
export async function loadGroupFairness(
  id: string,
  attribute: string,
): Promise<z.infer<typeof groupFairnessSchema>> {
  return (await graphql(GROUP_FAIRNESS_QUERY, { id, attribute }, responseSchema)).groupFairness;
}
