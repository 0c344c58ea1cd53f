import { graphql, type ResultOf } from './graphql-document.ts';

/**
 * One class of a comparison as the class explorer and its charts read it. `accuracyDelta` is
 * the change in class accuracy (B − A) the API serves beside the tested statistic's `delta`.
 */
export const ClassComparisonRowFields = graphql(`
  fragment ClassComparisonRowFields on ClassComparisonRow {
    classIndex
    className
    accuracyA
    accuracyB
    accuracyDelta
    p
    adjustedP
    significant
  }
`);
export type ClassComparisonRow = ResultOf<typeof ClassComparisonRowFields>;
