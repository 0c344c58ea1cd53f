import { parse, validate } from 'graphql';
import { expect, it } from 'vitest';
import { buildApiSchema } from '../schema/build-schema.ts';
import { defaultApiLimits } from './api-limits.ts';
import { rootFieldStatements, STATEMENT_COST } from './root-field-cost.ts';
import { sizeLimitRule } from './size-limit.rule.ts';

const schema = await buildApiSchema();

/** The QUERY_TOO_COMPLEX errors' extensions for `query` under the default limits. */
function refusals(query: string, limits = defaultApiLimits) {
  return validate(schema, parse(query), [sizeLimitRule(limits)]).map((e) => e.extensions);
}

it('prices every root field of the schema: a new one fails here until decided', () => {
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    if (!type) throw new Error('no root type');
    expect(Object.keys(rootFieldStatements[type.name] ?? {}).sort(), type.name).toEqual(
      Object.keys(type.getFields()).sort(),
    );
  }
});

it('refuses more root fields than maxRootFields, each alias counting once', () => {
  const aliases = (n: number) =>
    `{ ${Array.from({ length: n }, (_, i) => `a${i}: experiments(first: 1) { totalCount }`).join(' ')} }`;
  expect(refusals(aliases(20))).toEqual([]);
  expect(refusals(aliases(21))).toEqual([
    expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', rootFields: 21, maxRootFields: 20 }),
  ]);
  // The same response key twice is merged by graphql-js and resolved once; meta fields are free.
  const repeated = `{ ${'experiments(first: 1) { totalCount } '.repeat(25)} __typename }`;
  expect(refusals(repeated)).toEqual([]);
  // Through fragments too.
  const viaFragment = `{ ...F } fragment F on Query { ${Array.from({ length: 21 }, (_, i) => `r${i}: run(id: "x") { id }`).join(' ')} }`;
  expect(refusals(viaFragment)[0]).toMatchObject({ rootFields: 21 });
});

it('prices aliases of a page by their SQL: N aliases cost N times one', () => {
  const limits = { ...defaultApiLimits, maxRootFields: 10_000, maxCost: 1 };
  const cost = (query: string) => Number(refusals(query, limits)[0]?.cost);
  // experiments(first: 100) { totalCount }: fields 1 + 1, two statements, the page's 101 rows.
  const one = 2 + 2 * STATEMENT_COST + 101;
  expect(STATEMENT_COST).toBe(1000);
  expect(cost('{ experiments(first: 100) { totalCount } }')).toBe(one);
  const page = 'experiments(first: 100) { totalCount }';
  const n = 1800;
  const flood = `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${page}`).join(' ')} }`;
  expect(cost(flood)).toBe(n * one);
  // Issue 12's flood was priced 3,600 before; now it is far over the default limit.
  expect(n * one).toBeGreaterThan(defaultApiLimits.maxCost);
  // A run by id: fields 1 + 1, one statement. viewer: no SQL.
  expect(cost('{ run(id: "x") { id } }')).toBe(2 + STATEMENT_COST);
  expect(cost('{ viewer { role } }')).toBe(2);
  // Runs by id: the list field, its items (ASSUMED_LIST_SIZE, 10) and one statement for all ids.
  expect(cost('{ runs(ids: ["x", "y"]) { id } }')).toBe(1 + 10 + STATEMENT_COST);
});

it('prices disagreementPairs by its most pairs: two aliases fit the default cost, three do not', () => {
  const pairs = (n: number) =>
    `{ ${Array.from({ length: n }, (_, i) => `p${i}: disagreementPairs(experimentId: "e${i}") { seeds }`).join(' ')} }`;
  expect(rootFieldStatements.Query?.disagreementPairs).toBe(40);
  expect(refusals(pairs(2))).toEqual([]);
  expect(refusals(pairs(3))).toEqual([expect.objectContaining({ code: 'QUERY_TOO_COMPLEX' })]);
});

it('prices compareExperiments by the experiments it lists: 3 + 5 statements each', () => {
  const limits = { ...defaultApiLimits, maxCost: 1 };
  const cost = (query: string) => Number(refusals(query, limits)[0]?.cost);
  const refs = (n: number) => Array.from({ length: n }, (_, i) => `{ name: "e${i}" }`).join(' ');
  const q = (list: string) =>
    `query($e: [ExperimentRefInput!]!) { compareExperiments(experiments: ${list}) { examples } }`;
  // Fields: compareExperiments and examples (2), then the statements.
  expect(cost(q(`[${refs(2)}]`))).toBe(2 + 13 * STATEMENT_COST);
  expect(cost(q(`[${refs(5)}]`))).toBe(2 + 28 * STATEMENT_COST);
  // A variable may hold the most, 8; more than 8 are refused by the resolver, priced as 8.
  expect(cost(q('$e'))).toBe(2 + 43 * STATEMENT_COST);
  expect(cost(q(`[${refs(9)}]`))).toBe(2 + 43 * STATEMENT_COST);
  expect(rootFieldStatements.Query?.compareExperiments).toBe(43);
});
