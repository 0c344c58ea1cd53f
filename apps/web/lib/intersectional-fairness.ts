import { ArmFields } from './arm-fields.ts';
import { EstimateFields } from './estimate-fields.ts';
import { request } from './graphql.ts';
import { type DisparityMethod, graphql, type ResultOf } from './graphql-document.ts';

const IntersectionalFairnessQuery = graphql(
  `
    query IntersectionalFairness(
      $id: ID!
      $attributes: [String!]!
      $positiveClass: Int
      $minGroupSize: Int
      $method: DisparityMethod
    ) {
      experiment(id: $id) {
        classNames
      }
      intersectionalFairness(
        experimentId: $id
        attributes: $attributes
        positiveClass: $positiveClass
        minGroupSize: $minGroupSize
        method: $method
      ) {
        attributes
        groups
        positiveClass
        positiveClassName
        method
        minGroupSize
        comparedGroups
        smallGroups {
          group
          count
        }
        arms {
          arm {
            ...ArmFields
          }
          dpd {
            ...EstimateFields
          }
          dpr {
            ...EstimateFields
          }
          eod {
            ...EstimateFields
          }
          eor {
            ...EstimateFields
          }
          groups {
            group
            count
            small
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

type Answer = ResultOf<typeof IntersectionalFairnessQuery>;
/** Group fairness of one or several attributes taken jointly, at a chosen positive class. */
export type IntersectionalFairness = Answer['intersectionalFairness'];
export type ArmIntersectionalFairness = IntersectionalFairness['arms'][number];
export type IntersectionalGroupRow = ArmIntersectionalFairness['groups'][number];

export interface IntersectionalChoice {
  attributes: string[];
  /** null: the mean over classes (the study's DPD/EOD). */
  positiveClass: number | null;
  minGroupSize: number;
  method: DisparityMethod;
}

/** The Groups page's data, with the class names for its positive-class picker. */
export async function loadIntersectionalFairness(
  id: string,
  choice: IntersectionalChoice,
): Promise<{ fairness: IntersectionalFairness; classNames: string[] }> {
  const answer = await request(IntersectionalFairnessQuery, { id, ...choice });
  return {
    fairness: answer.intersectionalFairness,
    classNames: answer.experiment?.classNames ?? [],
  };
}
