import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiControl, startApiServer } from '@kdlens/api';
import { createLogger } from '@kdlens/core';
import { createApiToken } from '@kdlens/core/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, gql } from '../support/api-client.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const log = createLogger('silent', 'api-hostile');
let t: TestDatabase;
let url = '';
let stop: (() => Promise<void>) | undefined;
const tokens = { viewer: '', operator: '' };
const unknownId = '6f1c2b9e-8a4d-4e2f-9c3b-1a2b3c4d5e6f';
const TIMEOUT_MS = 800;

/**
 * A control whose launch fails the way a bug would (a raw error carrying internals) or hangs,
 * so the test can check masking and the request timeout; cancel and import are never reached.
 */
const hostileControl: ApiControl = {
  launch: async (spec) => {
    if (spec.name === 'hang') {
      await sleep(TIMEOUT_MS * 4);
      return { experimentId: unknownId };
    }
    const error = new Error('relation "secret_table" does not exist at /srv/kdlens/db.ts:42');
    throw error;
  },
  cancel: async () => ({ cancelled: 0, stopping: 0 }),
  importPredictions: async () => ({ experimentId: unknownId, runsImported: 0 }),
  close: async () => {},
};

beforeAll(async () => {
  t = await createTestDatabase('hostile');
  tokens.viewer = (await createApiToken(t.warehouse.db, { name: 'v', role: 'viewer' })).token;
  tokens.operator = (await createApiToken(t.warehouse.db, { name: 'o', role: 'operator' })).token;
  const server = await startApiServer({
    db: t.warehouse.db,
    log,
    host: '127.0.0.1',
    port: 0,
    control: hostileControl,
    limits: { timeoutMs: TIMEOUT_MS },
  });
  stop = server.stop;
  url = server.url;
});
afterAll(async () => {
  await stop?.();
  await t?.drop();
});

const asViewer = (query: string, variables?: object) =>
  gql(url, query, { token: tokens.viewer, ...(variables ? { variables } : {}) });
const asOperator = (query: string, variables?: object) =>
  gql(url, query, { token: tokens.operator, ...(variables ? { variables } : {}) });

/** Nothing internal in an answer: no stack frames, file paths or SQL. */
function expectClean(text: string): void {
  expect(text).not.toMatch(/stacktrace|\bat \S+ \(|\.ts:\d+|node_modules|relation "|secret/);
}

describe('hostile and malformed requests', () => {
  it('deep nesting is QUERY_TOO_COMPLEX before anything runs', async () => {
    // ofType chains are valid at any depth; the depth rule must stop them.
    const deep = `{ __type(name: "Query") { ${'ofType { '.repeat(30)}name${' }'.repeat(30)} } }`;
    const r = await asViewer(deep);
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(r.errors[0]?.message).toMatch(/KDLENS_API_MAX_DEPTH/);
    expect(r.data ?? null).toBeNull();
  });

  it('lists nested in lists (introspection fan-out) are QUERY_TOO_COMPLEX', async () => {
    const fanOut =
      '{ __schema { types { fields { type { ofType { fields { type { ofType { fields { type { ofType { fields { name } } } } } } } } } } } } }';
    const r = await asViewer(fanOut);
    // graphql-js's own MaxIntrospectionDepth rule may report it too; ours must be there.
    expect(codes(r), r.text).toContain('QUERY_TOO_COMPLEX');
    expect(r.errors[0]?.message).toMatch(/KDLENS_API_MAX_COST/);
  });

  it('many aliases of a full page are QUERY_TOO_COMPLEX', async () => {
    const page = 'experiments(first: 100) { edges { node { runs { history { epoch loss } } } } }';
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: ${page}`).join(' ');
    const r = await asViewer(`{ ${aliases} }`);
    expect(codes(r)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it("the full introspection query passes (GraphiQL's, every option on)", async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const r = await gql<{ __schema: { types: unknown[] } }>(url, query);
    expect(r.errors).toEqual([]);
    expect(r.data?.__schema.types.length).toBeGreaterThan(10);
  });

  it('a huge or negative `first` is BAD_USER_INPUT, not a silent clamp', async () => {
    for (const first of [1_000_000, 101, -1]) {
      const literal = await asViewer(`{ experiments(first: ${first}) { totalCount } }`);
      expect(codes(literal), `first: ${first}`).toEqual(['BAD_USER_INPUT']);
      const variable = await asViewer('query($n: Int!) { experiments(first: $n) { totalCount } }', {
        n: first,
      });
      expect(codes(variable), `$n = ${first}`).toEqual(['BAD_USER_INPUT']);
    }
    expect((await asViewer('{ experiments(first: 100) { totalCount } }')).errors).toEqual([]);
  });

  it('wrong types: GRAPHQL_VALIDATION_FAILED in the query text, BAD_USER_INPUT in variables', async () => {
    const literal = await asViewer('{ experiments(first: "ten") { totalCount } }');
    expect(literal.status).toBe(400);
    expect(codes(literal)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const variable = await asViewer('query($n: Int!) { experiments(first: $n) { totalCount } }', {
      n: 'ten',
    });
    expect(codes(variable)).toEqual(['BAD_USER_INPUT']);
    const unknownField = await asViewer('{ experiments { nope } }');
    expect(codes(unknownField)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const spec = await asOperator(
      'mutation { launchExperiment(input: { spec: 42 }) { experiment { id } } }',
    );
    expect(codes(spec)).toEqual(['BAD_USER_INPUT']);
    expect(spec.errors[0]?.extensions?.problems).toBeInstanceOf(Array);
  });

  it('unknown ids are NOT_FOUND and malformed ids BAD_USER_INPUT, for every mutation', async () => {
    for (const [field, payload] of [
      ['cancelExperiment', 'experiment'],
      ['cancelRun', 'run'],
    ] as const) {
      const unknown = await asOperator(
        `mutation { ${field}(input: { id: "${unknownId}" }) { ${payload} { id } } }`,
      );
      expect(codes(unknown), field).toEqual(['NOT_FOUND']);
      const malformed = await asOperator(
        `mutation { ${field}(input: { id: "1; drop table runs" }) { ${payload} { id } } }`,
      );
      expect(codes(malformed), field).toEqual(['BAD_USER_INPUT']);
    }
    const unknownName = await asOperator(
      'mutation { cancelExperiment(input: { name: "no-such-study" }) { experiment { id } } }',
    );
    expect(codes(unknownName)).toEqual(['NOT_FOUND']);
    const admin = (await createApiToken(t.warehouse.db, { name: 'a', role: 'admin' })).token;
    const revoke = await gql(
      url,
      `mutation { revokeApiToken(input: { id: "${unknownId}" }) { apiToken { id } } }`,
      { token: admin },
    );
    expect(codes(revoke)).toEqual(['NOT_FOUND']);
    // A read of an unknown id is no error: the lookup answers null.
    const run = await asViewer(`{ run(id: "${unknownId}") { id } }`);
    expect(run.errors).toEqual([]);
    expect(run.data).toEqual({ run: null });
  });

  it('an unexpected error is INTERNAL_SERVER_ERROR with a fixed message and no internals', async () => {
    const r = await asOperator(
      'mutation($s: JSON!) { launchExperiment(input: { spec: $s }) { experiment { id } } }',
      {
        s: await demoSpecNamed('boom'),
      },
    );
    expect(codes(r)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(r.errors[0]?.message).toBe('internal server error');
    expectClean(r.text);
  });

  it('a request over KDLENS_API_TIMEOUT_MS gets TIMEOUT, and the server stays responsive', async () => {
    const started = Date.now();
    const r = await asOperator(
      'mutation($s: JSON!) { launchExperiment(input: { spec: $s }) { experiment { id } } }',
      {
        s: await demoSpecNamed('hang'),
      },
    );
    expect(r.status).toBe(503);
    expect(codes(r)).toEqual(['TIMEOUT']);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 3);
  });

  it('a malformed JSON body is HTTP 400, a syntax error GRAPHQL_PARSE_FAILED, a huge body 413', async () => {
    const bad = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.viewer}` },
      body: '{"query": "{ viewer { role } }"',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
    const syntax = await asViewer('{ experiments(first: 1) { totalCount ');
    expect(codes(syntax)).toEqual(['GRAPHQL_PARSE_FAILED']);
    // Past the parser's token limit: refused before a recursive parse can stall the server.
    const tokensFlood = await asViewer(`{ ${'viewer { role } '.repeat(6000)} }`);
    expect(codes(tokensFlood)).toEqual(['GRAPHQL_PARSE_FAILED']);
    const huge = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ viewer { role } } # ${'x'.repeat(2 * 1024 * 1024)}` }),
    });
    expect(huge.status).toBe(413);
  });

  it('after all of that the server still answers /healthz and a normal query', async () => {
    const health = await fetch(url.replace('/graphql', '/healthz'));
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok');
    const r = await asViewer('{ viewer { role } experiments(first: 5) { totalCount } }');
    expect(r.errors).toEqual([]);
    expect(r.data).toEqual({ viewer: { role: 'viewer' }, experiments: { totalCount: 0 } });
  });
});

/** A valid spec (the demo preset) under another name, for the hostile control to act on. */
async function demoSpecNamed(name: string): Promise<unknown> {
  const { parseSpecText, readPresetText } = await import('@kdlens/core');
  return { ...parseSpecText(await readPresetText('demo'), 'demo.yaml'), name };
}
