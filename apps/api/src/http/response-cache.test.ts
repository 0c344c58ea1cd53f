import { expect, it } from 'vitest';
import { buildApiSchema } from '../schema/build-schema.ts';
import {
  type CacheKey,
  cacheableRootFields,
  ENTRY_OVERHEAD_BYTES,
  liveFieldsByType,
  ResponseCache,
  resultFieldsByType,
} from './response-cache.ts';

/** A key of the `all` tier, as keyOf makes for an operation that reads liveness. */
const k = (key: string): CacheKey => ({ key, tier: 'all' });

const cache = (maxBytes = 3000) =>
  new ResponseCache(
    async () => ({ all: 'v1', results: 'v1' }),
    { maxBytes, maxEntryBytes: 2000, maxQueryChars: 200, versionTtlMs: 25 },
    { maxTokens: 1000 },
  );

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
  const key = (body: unknown, accept?: string) => c.keyOf(body, accept)?.key ?? null;
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
  const v1 = { all: 'v1', results: 'v1', readStartedAt: 1 };
  const v2 = { all: 'v2', results: 'v2', readStartedAt: 2 };
  const body = (n: number) => ({ headers: {}, body: Buffer.alloc(n) });
  c.set(k('a'), v1, body(100));
  expect(c.get(k('a'), v1)?.body.length).toBe(100);
  expect(c.get(k('a'), v2)).toBeUndefined();
  // An answer computed at the older version, finishing late, is neither served nor stored.
  c.set(k('b'), v1, body(100));
  expect(c.get(k('b'), v2)).toBeUndefined();
  c.set(k('c'), v2, body(200));
  c.set(k('d'), v2, body(200));
  expect(c.get(k('c'), v2)).toBeDefined(); // now most recently used
  c.set(k('e'), v2, body(200));
  c.set(k('f'), v2, body(200));
  c.set(k('g'), v2, body(200));
  // Each counts key 1 + body 200 + overhead 512 = 713 bytes: 3000 bytes hold four (2,852);
  // 'd' was the least recently used.
  expect(ENTRY_OVERHEAD_BYTES).toBe(512);
  expect(c.get(k('d'), v2)).toBeUndefined();
  expect(c.get(k('c'), v2)).toBeDefined();
  expect(c.stats()).toMatchObject({ entries: 4, bytes: 4 * 713 });
  // 1 + 300 + 512 = 813, over a quarter of the cache (750): not kept.
  c.set(k('big'), v2, body(300));
  expect(c.get(k('big'), v2)).toBeUndefined();
});

it('counts keys and headers as well as bodies, and keeps nothing over maxEntryBytes', () => {
  const c = cache(100_000);
  const v = { all: 'v1', results: 'v1', readStartedAt: 1 };
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  const key = 'k'.repeat(44); // a base64 SHA-256, as keyOf makes
  c.set(k(key), v, { headers, body: Buffer.alloc(1000) });
  // 44 + ("content-type" 12 + "application/json; charset=utf-8" 31) + 1000 + 512
  expect(c.stats().bytes).toBe(1599);
  // Replacing an entry counts it once.
  c.set(k(key), v, { headers, body: Buffer.alloc(10) });
  expect(c.stats()).toMatchObject({ entries: 1, bytes: 44 + 43 + 10 + 512 });
  // 1 + 1488 + 512 = 2001 > maxEntryBytes 2000; one byte less fits.
  c.set(k('x'), v, { headers: {}, body: Buffer.alloc(1488) });
  expect(c.get(k('x'), v)).toBeUndefined();
  c.set(k('x'), v, { headers: {}, body: Buffer.alloc(1487) });
  expect(c.get(k('x'), v)?.body.length).toBe(1487);
});

it('keeps a small body in a buffer of its own, not a slice of a shared slab', () => {
  const c = cache();
  const v = { all: 'v1', results: 'v1', readStartedAt: 1 };
  // Buffer.from cuts strings under 4 KiB out of Node's shared 8 KiB pool.
  const pooled = Buffer.from('{"data":{}}', 'utf8');
  expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
  c.set(k('a'), v, { headers: {}, body: pooled });
  const kept = c.get(k('a'), v)?.body;
  expect(kept?.toString()).toBe('{"data":{}}');
  expect(kept?.buffer.byteLength).toBe(11);
});

it('never keeps query texts: long texts bypass, short ones are remembered by hash', () => {
  const c = cache();
  const short = '{ experiments(first: 1) { totalCount } }';
  expect(c.keyOf({ query: short }, undefined)?.key).toEqual(expect.any(String));
  expect(c.stats().documents).toBe(1);
  // maxQueryChars is 200 here: a longer query, or longer variables, is not cached or remembered.
  const padded = `${short} #${'x'.repeat(200)}`;
  expect(c.keyOf({ query: padded }, undefined)).toBeNull();
  const q = 'query($n: String) { experiments(filter: { name: $n }) { totalCount } }';
  expect(c.keyOf({ query: q, variables: { n: 'x'.repeat(200) } }, undefined)).toBeNull();
  expect(c.keyOf({ query: q, variables: { n: 'x' } }, undefined)?.key).toEqual(expect.any(String));
  expect(c.stats().documents).toBe(2);
  // 1,000 hashes are remembered at most, whatever the number of distinct texts.
  for (let i = 0; i < 1100; i++) c.keyOf({ query: `{ run(id: "${i}") { id } }` }, undefined);
  expect(c.stats().documents).toBe(1000);
});

it('decides about every field of Run and Experiment: results, or liveness', async () => {
  const schema = await buildApiSchema();
  for (const type of ['Run', 'Experiment']) {
    const named = schema.getType(type);
    if (!named || !('getFields' in named)) throw new Error(`${type} is not an object type`);
    const fields = Object.keys(named.getFields());
    const results = [...(resultFieldsByType[type] ?? [])];
    const live = [...(liveFieldsByType[type] ?? [])];
    // Disjoint, and together exactly the type's fields.
    expect(results.filter((f) => live.includes(f))).toEqual([]);
    expect(new Set(fields)).toEqual(new Set([...results, ...live]));
  }
});

it('keeps operations without liveness fields under the results version', async () => {
  const c = new ResponseCache(
    async () => ({ all: 'a1', results: 'r1' }),
    { maxBytes: 100_000, maxEntryBytes: 20_000, maxQueryChars: 2000, versionTtlMs: 25 },
    { maxTokens: 1000, schema: await buildApiSchema() },
  );
  const tier = (query: string) => c.keyOf({ query }, undefined)?.tier;
  expect(
    tier(`{ classComparison(experimentId: "x", a: {role: student}, b: {role: teacher}) {
      significantCount rows { classIndex p } } }`),
  ).toBe('results');
  expect(tier('{ significanceSweep(experimentName: "x") { rows { temperature scCount } } }')).toBe(
    'results',
  );
  expect(tier('{ experiment(name: "x") { name status arms { label } runs { id seed } } }')).toBe(
    'results',
  );
  expect(tier('{ experiments { totalCount edges { node { id name } } } }')).toBe('results');
  expect(tier('{ __typename }')).toBe('results');
  expect(tier('{ experiment(name: "x") { runs { id progress } } }')).toBe('all');
  expect(tier('{ experiment(name: "x") { progress } }')).toBe('all');
  expect(tier('{ run(id: "x") { heartbeatAt } }')).toBe('all');
  expect(tier('{ node(id: "x") { id ... on Run { status } } }')).toBe('all');
  expect(tier('{ run(id: "x") { ...R } } fragment R on Run { id worker }')).toBe('all');
  expect(tier('{ node(id: "x") { id ... on Experiment { name } } }')).toBe('results');
  // Learning curves of a comparison: a running unit's history grows with every epoch.
  expect(tier('{ runs(ids: ["x", "y"]) { id label history { epoch loss } } }')).toBe('all');
  expect(tier('{ runs(ids: ["x"]) { id label seed classAccuracy } }')).toBe('results');
});

it('keeps results answers while only liveness changes, and drops them when results change', () => {
  const c = cache();
  const r = (key: string): CacheKey => ({ key, tier: 'results' });
  const body = { headers: {}, body: Buffer.alloc(10) };
  const v1 = { all: 'a1', results: 'r1', readStartedAt: 1 };
  c.set(r('sweep'), v1, body);
  c.set(k('runs'), v1, body);
  // A heartbeat: `all` moves, `results` does not.
  const v2 = { all: 'a2', results: 'r1', readStartedAt: 2 };
  expect(c.get(k('runs'), v2)).toBeUndefined();
  expect(c.get(r('sweep'), v2)).toBeDefined();
  expect(c.stats()).toMatchObject({ entries: 1, bytes: 5 + 10 + 512 });
  // A run finishes: both move.
  const v3 = { all: 'a3', results: 'r2', readStartedAt: 3 };
  expect(c.get(r('sweep'), v3)).toBeUndefined();
  expect(c.stats()).toMatchObject({ entries: 0, bytes: 0 });
});
