import { request } from './graphql.ts';
import { graphql, type ResultOf, type RunRole } from './graphql-document.ts';

const ClassGroupMatrixQuery = graphql(`
  query ClassGroupMatrix(
    $id: ID!
    $attributes: [String!]!
    $baseline: RunRole
    $temperature: Float
  ) {
    classGroupMatrix(
      experimentId: $id
      attributes: $attributes
      baseline: $baseline
      temperature: $temperature
      worstLimit: 200
    ) {
      attributes
      groups
      classNames
      examples
      confidence
      arms {
        arm {
          role
          temperature
          label
        }
        mean
      }
      changes {
        baseline
        from {
          label
        }
        to {
          label
          temperature
        }
        delta
        lower
        upper
        significantCount
        testedCount
        worst {
          cell
          className
          group
          examples
          accuracyFrom
          accuracyTo
          delta
          lower
          upper
          adjustedP
          significant
        }
      }
    }
  }
`);

export type ClassGroupMatrix = ResultOf<typeof ClassGroupMatrixQuery>['classGroupMatrix'];
export type ClassGroupChange = ClassGroupMatrix['changes'][number];
export type WorstCell = ClassGroupChange['worst'][number];

/** The class × group matrix of the attributes, with one change (baseline → KD at T). */
export async function loadClassGroupMatrix(
  id: string,
  attributes: string[],
  baseline: RunRole,
  temperature: number | null,
): Promise<ClassGroupMatrix> {
  return (await request(ClassGroupMatrixQuery, { id, attributes, baseline, temperature }))
    .classGroupMatrix;
}
