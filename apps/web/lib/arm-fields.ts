import { graphql, type ResultOf } from './graphql-document.ts';

/** One arm of the study, named by the API in the paper's words (`label`). */
export const ArmFields = graphql(`
  fragment ArmFields on Arm {
    role
    temperature
    label
    seeds
  }
`);
export type Arm = ResultOf<typeof ArmFields>;
