/**
 * GraphQL documents typed by the API's committed schema (apps/api/schema.graphql). `graphql()`
 * parses a document; tsc infers its result and variables from lib/graphql-env.d.ts, which
 * `npm run graphql:generate -w @kdlens/web` writes from that schema (lib/graphql-env.test.ts
 * fails while it is stale). A field the API renames or removes fails `tsc` here, not a page.
 */
import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: {
    // graphql-scalars serialises DateTimeISO as an ISO 8601 string.
    DateTimeISO: string;
    // A spec is whatever YAML/JSON the user wrote: lib/presets.ts parses the fields it reads.
    JSON: unknown;
  };
  // Fragments here share field lists between documents, not data ownership: pages read the
  // whole answer, so fragment fields are not masked.
  disableMasking: true;
}>();

export type { ResultOf, VariablesOf } from 'gql.tada';

export type RunRole = ReturnType<typeof graphql.scalar<'RunRole'>>;
export type RunStatus = ReturnType<typeof graphql.scalar<'RunStatus'>>;
export type ExperimentStatus = ReturnType<typeof graphql.scalar<'ExperimentStatus'>>;
export type Correction = ReturnType<typeof graphql.scalar<'Correction'>>;

/**
 * A schema enum's values as a list, for pickers and for checking URL parameters. The list must
 * hold every value of `T` and nothing else, so a value the schema adds or drops fails `tsc`.
 */
export function enumValues<T extends string>() {
  return <const V extends readonly T[]>(
    values: V &
      ([Exclude<T, V[number]>] extends [never] ? unknown : { missing: Exclude<T, V[number]> }),
  ): V => values;
}
export type DisparityMethod = ReturnType<typeof graphql.scalar<'DisparityMethod'>>;
