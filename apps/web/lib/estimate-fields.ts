import { graphql, type ResultOf } from './graphql-document.ts';

/** A quantity measured once per seed; null parts are NaN on the API side (e.g. sd of one seed). */
export const EstimateFields = graphql(`
  fragment EstimateFields on Estimate {
    mean
    sd
    lower
    upper
    values
  }
`);
export type Estimate = ResultOf<typeof EstimateFields>;
