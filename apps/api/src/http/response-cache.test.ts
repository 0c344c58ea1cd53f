import { expect, it } from 'vitest';
import { buildApiSchema } from '../schema/build-schema.ts';
import { cacheableRootFields, ResponseCache } from './response-cache.ts';

const cache = () =>
  new ResponseCache(async () => 'v1', { maxBytes: 1000, versionTtlMs: 25 }, { maxTokens: 1000 });

it('decides about every Query field: cached, or deliberately not', async () => {
  const fields = Object.keys((await buildApiSchema()).getQueryType()?.getFields() ?? {});
  // viewer and apiTokens depend on the caller; presets are files, outside the data version.
  const uncached = ['viewer', 'apiTokens', 'presets'];
  expect(new Set(fields)).toEqual(
    new Set([...[...cacheableRootFields].filter((f) => !f.startsWith('__')), ...uncached]),
  );
});

it('keys queries by meaning, and refuses mutations and caller-specific fields', () => {
  const c = cache();
  const key = (body: unknown, accept?: string) => c.keyOf(body, accept);
  const q = 'query($id: ID!) { run(id: $id) { id } }';
  const base = key({ query: q, variables: { id: 'a', x: 1 } });
  expect(base).toEqual(expect.any(String));
  expect(key({ query: `#c\n${q.replace(/ /g, '  ')}`, variables: { x: 1, id: 'a' } })).toBe(base);
  expect(key({ query: q, variables: { id: 'b', x: 1 } })).not.toBe(base);
  expect(
    key({ query: q, variables: { id: 'a', x: 1 } }, 'application/graphql-response+json'),
  ).not.toBe(base);
  expect(key({ query: 'mutation { cancelRun(id: "x") { id } }' })).toBeNull();
  expect(key({ query: '{ viewer { role } }' })).toBeNull();
  expect(key({ query: '{ experiments { totalCount } viewer { role } }' })).toBeNull();
  expect(key({ query: '{ ...F } fragment F on Query { apiTokens { name } }' })).toBeNull();
  expect(
    key({
      query: 'query A { run(id: "x") { id } } mutation B { cancelRun(id: "x") { id } }',
      operationName: 'B',
    }),
  ).toBeNull();
  expect(
    key({
      query: 'query A { run(id: "x") { id } } mutation B { cancelRun(id: "x") { id } }',
      operationName: 'A',
    }),
  ).toEqual(expect.any(String));
  expect(key({ query: '{ run(id: "x") { id }' })).toBeNull();
  expect(key({ query: q, extensions: { persistedQuery: {} } })).toBeNull();
  expect(key([{ query: q }])).toBeNull();
});

it('keeps entries of the newest version only, and bounds them by bytes', () => {
  const c = cache();
  const v1 = { value: 'v1', readStartedAt: 1 };
  const v2 = { value: 'v2', readStartedAt: 2 };
  const body = (n: number) => ({ headers: {}, body: Buffer.alloc(n) });
  c.set('a', v1, body(100));
  expect(c.get('a', v1)?.body.length).toBe(100);
  expect(c.get('a', v2)).toBeUndefined();
  // An answer computed at the older version, finishing late, is neither served nor stored.
  c.set('b', v1, body(100));
  expect(c.get('b', v2)).toBeUndefined();
  c.set('c', v2, body(200));
  c.set('d', v2, body(200));
  expect(c.get('c', v2)).toBeDefined(); // now most recently used
  c.set('e', v2, body(200));
  c.set('f', v2, body(200));
  c.set('g', v2, body(200));
  // 1000 bytes hold four of these; 'd' was the least recently used.
  expect(c.get('d', v2)).toBeUndefined();
  expect(c.get('c', v2)).toBeDefined();
  expect(c.stats().bytes).toBeLessThanOrEqual(1000);
  // Larger than a quarter of the cache: not kept.
  c.set('big', v2, body(300));
  expect(c.get('big', v2)).toBeUndefined();
});
