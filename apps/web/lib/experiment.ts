import { cache } from 'react';
import { z } from 'zod';
import { ApiError, attempt, graphql } from './graphql.ts';
import { armWithAccuracySchema, experimentListItemSchema } from './schemas.ts';

const HEADER_QUERY = /* GraphQL */ `
  query ExperimentHeader($id: ID!) {
    experiment(id: $id) {
      id name dataset status teacherArchitecture studentArchitecture
      temperatures seeds progress createdAt sensitiveAttributes
      arms { role temperature label seeds accuracy { mean sd lower upper values } }
    }
  }
`;

export const experimentHeaderSchema = experimentListItemSchema.extend({
  sensitiveAttributes: z.array(z.string()),
  arms: z.array(armWithAccuracySchema),
});
export type ExperimentHeader = z.infer<typeof experimentHeaderSchema>;

/**
 * The experiment's identity, arms and accuracies: the layout and every tab need them, so one
 * request per page view serves both (React's cache lasts one server render).
 */
export const loadExperimentHeader = cache((id: string) =>
  attempt(async () => {
    try {
      const data = await graphql(
        HEADER_QUERY,
        { id },
        z.object({ experiment: experimentHeaderSchema.nullable() }),
      );
      return data.experiment;
    } catch (error) {
      // An unknown id is a missing page (the API answers NOT_FOUND or null), not a failure.
      if (error instanceof ApiError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }),
);
