import { cache } from 'react';
import { ArmFields } from './arm-fields.ts';
import { EstimateFields } from './estimate-fields.ts';
import { attempt, request } from './graphql.ts';
import { graphql, type ResultOf } from './graphql-document.ts';

const ExperimentHeaderQuery = graphql(
  `
    query ExperimentHeader($id: ID!) {
      experiment(id: $id) {
        id
        name
        dataset
        status
        tags
        note
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
  // An unknown id is a missing page: the API answers null, which the layout turns into a 404.
  attempt(async () => (await request(ExperimentHeaderQuery, { id })).experiment),
);
