import { cache } from 'react';
import { ArmFields } from './arm-fields.ts';
import { EstimateFields } from './estimate-fields.ts';
import { ApiError, attempt, request } from './graphql.ts';
import { graphql, type ResultOf } from './graphql-document.ts';

const ExperimentHeaderQuery = graphql(
  `
    query ExperimentHeader($id: ID!) {
      experiment(id: $id) {
        id
        name
        dataset
        status
        teacherArchitecture
        studentArchitecture
        temperatures
        seeds
        progress
        createdAt
        sensitiveAttributes
        arms {
          ...ArmFields
          accuracy {
            ...EstimateFields
          }
        }
      }
    }
  `,
  [ArmFields, EstimateFields],
);

export type ExperimentHeader = NonNullable<ResultOf<typeof ExperimentHeaderQuery>['experiment']>;
export type ArmWithAccuracy = ExperimentHeader['arms'][number];

/**
 * The experiment's identity, arms and accuracies: the layout and every tab need them, so one
 * request per page view serves both (React's cache lasts one server render).
 */
export const loadExperimentHeader = cache((id: string) =>
  attempt(async () => {
    try {
      const data = await request(ExperimentHeaderQuery, { id });
      return data.experiment;
    } catch (error) {
      // An unknown id is a missing page (the API answers NOT_FOUND or null), not a failure.
      if (error instanceof ApiError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }),
);
