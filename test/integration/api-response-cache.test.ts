import { type ApiControl, type ApiServer, startApiServer } from '@kdlens/api';
import { createLogger, writeImportedStudy } from '@kdlens/core';
import {
  createApiToken,
  readWarehouseDataVersion,
  recordEpoch,
  updateRunProgress,
} from '@kdlens/core/db';
import {
  claimRun,
  finishRun,
  heartbeatRun,
  insertMissingRuns,
  writeRunProgress,
} from '@kdlens/core/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../support/api-client.ts';
import { type StudyPlan, seededStudy } from '../support/seeded-study.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// The response cache (apps/api/src/http/response-cache.ts) in front of a real warehouse: what it
// serves again, what it never serves, and that every kind of write shows in the next answer.
const log = createLogger('silent', 'api-response-cache');
const TTL_MS = 25;

const plan = (errorRate: number): StudyPlan => ({
  classNames: ['cat', 'dog', 'bird'],
  examplesPerClass: 10,
  seeds: [0, 1],
  arms: [
    {
      role: 'student',
      temperature: null,
      architecture: 'mlp',
      errorByClass: [0.3],
      groupPenalty: 0,
    },
    {
      role: 'distilled',
      temperature: 4,
      architecture: 'mlp',
      errorByClass: [errorRate],
      groupPenalty: 0,
    },
  ],
  sensitive: {},
});

let t: TestDatabase;
let server: ApiServer;
let experimentId = '';
const tokens = { viewer: '', operator: '' };
let imports = 0;

/** The `importPredictions` mutation writes a seeded study; the files do not matter here. */
const control: ApiControl = {
  launch: () => Promise.reject(new Error('not used')),
  cancel: () => Promise.reject(new Error('not used')),
  importPredictions: async (experiment) => {
    imports++;
    const outcome = await writeImportedStudy(
      t.warehouse.db,
      { experiment, dataset: 'seeded', files: [] },
      seededStudy(plan(0.1)),
    );
    return { experimentId: outcome.experimentId, runsImported: 4 };
  },
  close: async () => {},
};

beforeAll(async () => {
  t = await createTestDatabase('response_cache');
  const outcome = await writeImportedStudy(
    t.warehouse.db,
    { experiment: 'cached', dataset: 'seeded', files: [] },
    seededStudy(plan(0.1)),
  );
  experimentId = outcome.experimentId;
  tokens.viewer = (await createApiToken(t.warehouse.db, { name: 'v', role: 'viewer' })).token;
  tokens.operator = (await createApiToken(t.warehouse.db, { name: 'o', role: 'operator' })).token;
  server = await startApiServer({
    db: t.warehouse.db,
    log,
    host: '127.0.0.1',
    port: 0,
    allowAnonymousRead: false,
    control,
    responseCache: { versionTtlMs: TTL_MS },
  });
});
afterAll(async () => {
  await server?.stop();
  await t?.drop();
});

/** POSTs like the web app does and returns the answer with the cache header. */
async function post(
  query: string,
  variables: object | undefined,
  token: string | undefined,
  url = server.url,
): Promise<{ status: number; cache: string | null; text: string; json: GraphqlBody }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return {
    status: response.status,
    cache: response.headers.get('x-kdlens-cache'),
    text,
    json: JSON.parse(text) as GraphqlBody,
  };
}
interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: { extensions?: { code?: string } }[];
}

/** A root field of a successful answer. */
function field<T>(answer: { json: GraphqlBody }, name: string): T {
  const value = answer.json.data?.[name];
  if (value === undefined || value === null) {
    throw new Error(`no ${name} in ${JSON.stringify(answer.json).slice(0, 300)}`);
  }
  return value as T;
}

/** A write by another process shows once the version read window has passed. */
const afterWindow = () => new Promise((resolve) => setTimeout(resolve, TTL_MS + 15));

const comparison = `query($id: ID!) { classComparison(experimentId: $id, a: {role: student},
  b: {role: distilled, temperature: 4}) { significantCount rows { classIndex accuracyA accuracyB } } }`;
const runsQuery =
  'query($id: ID!) { experiment(id: $id) { runs { id seed progress heartbeatAt } } }';

describe('response cache', () => {
  it('serves the same query a second time from memory, byte for byte', async () => {
    await afterWindow();
    const first = await post(comparison, { id: experimentId }, tokens.viewer);
    expect(first.json.errors).toBeUndefined();
    expect(first.cache).toBe('miss');
    const second = await post(comparison, { id: experimentId }, tokens.viewer);
    expect(second.cache).toBe('hit');
    expect(second.text).toBe(first.text);
    // Whitespace and comments are not part of the key.
    const respaced = await post(
      `# the same operation\n${comparison.replace(/\s+/g, '   ')}`,
      { id: experimentId },
      tokens.viewer,
    );
    expect(respaced.cache).toBe('hit');
    expect(server.cacheStats()).toMatchObject({ hits: 2, misses: 1 });
  });

  it('never serves a cached body to a caller who may not read', async () => {
    const cached = await post(comparison, { id: experimentId }, tokens.viewer);
    expect(cached.cache).toBe('hit');
    const anonymous = await post(comparison, { id: experimentId }, undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(anonymous.cache).toBe('bypass');
    expect(anonymous.text).not.toContain('accuracyA');
    const badToken = await post(comparison, { id: experimentId }, 'kdl_not-a-real-token');
    expect(badToken.status).toBe(401);
    expect(badToken.cache).toBe('bypass');
  });

  it('answers with new data after a run reports progress or a heartbeat', async () => {
    await afterWindow();
    const before = await post(runsQuery, { id: experimentId }, tokens.viewer);
    const again = await post(runsQuery, { id: experimentId }, tokens.viewer);
    expect(again.cache).toBe('hit');
    const runs = field<{ runs: { id: string; progress: number }[] }>(before, 'experiment').runs;
    const run = runs[0];
    if (!run) throw new Error('the seeded experiment has no runs');
    expect(run.progress).toBe(1);

    await updateRunProgress(t.warehouse.db, run.id, { fraction: 0.25, epoch: 1 });
    await afterWindow();
    const progressed = await post(runsQuery, { id: experimentId }, tokens.viewer);
    expect(progressed.cache).toBe('miss');
    const after = field<{ runs: { id: string; progress: number }[] }>(
      progressed,
      'experiment',
    ).runs;
    expect(after.find((r) => r.id === run.id)?.progress).toBe(0.25);

    // A heartbeat touches only heartbeat_at (not updated_at), and Run.heartbeatAt shows it.
    await t.warehouse.db.$client.query('update runs set heartbeat_at = now() where id = $1', [
      run.id,
    ]);
    await afterWindow();
    const beat = await post(runsQuery, { id: experimentId }, tokens.viewer);
    expect(beat.cache).toBe('miss');
    const beaten = field<{ runs: { id: string; heartbeatAt: string }[] }>(beat, 'experiment').runs;
    expect(beaten.find((r) => r.id === run.id)?.heartbeatAt).toEqual(expect.any(String));
  });

  it('answers with new data after an import by another process', async () => {
    const list = '{ experiments(first: 10) { totalCount edges { node { name } } } }';
    await afterWindow();
    const before = await post(list, undefined, tokens.viewer);
    expect((await post(list, undefined, tokens.viewer)).cache).toBe('hit');
    expect(before.json.data?.experiments).toMatchObject({ totalCount: 1 });

    await writeImportedStudy(
      t.warehouse.db,
      { experiment: 'second', dataset: 'seeded', files: [] },
      seededStudy(plan(0.5)),
    );
    await afterWindow();
    const after = await post(list, undefined, tokens.viewer);
    expect(after.cache).toBe('miss');
    expect(after.json.data?.experiments).toMatchObject({ totalCount: 2 });
  });

  it('answers with new study results after a re-import changes them', async () => {
    await afterWindow();
    const before = await post(comparison, { id: experimentId }, tokens.viewer);
    expect((await post(comparison, { id: experimentId }, tokens.viewer)).cache).toBe('hit');
    // Same experiment, same test set, new predictions for every run.
    await writeImportedStudy(
      t.warehouse.db,
      { experiment: 'cached', dataset: 'seeded', files: [] },
      seededStudy(plan(0.6)),
    );
    await afterWindow();
    const after = await post(comparison, { id: experimentId }, tokens.viewer);
    expect(after.cache).toBe('miss');
    expect(after.json.errors).toBeUndefined();
    expect(after.text).not.toBe(before.text);
    // KD at T = 4 now errs with rate 0.6 on every class: its accuracy is what was written.
    const rows = field<{ rows: { accuracyB: number }[] }>(after, 'classComparison').rows;
    for (const r of rows) expect(r.accuracyB).toBeLessThan(0.7);
  });

  it('never caches mutations, and a mutation through this server shows at once', async () => {
    // A version read window of a minute: only the mutation itself can make the next read fresh.
    const slow = await startApiServer({
      db: t.warehouse.db,
      log,
      host: '127.0.0.1',
      port: 0,
      control,
      responseCache: { versionTtlMs: 60_000 },
    });
    try {
      const list = '{ experiments(first: 10) { totalCount } }';
      const via = (query: string, variables: object | undefined, token: string) =>
        post(query, variables, token, slow.url);
      await via(list, undefined, tokens.viewer);
      expect((await via(list, undefined, tokens.viewer)).cache).toBe('hit');
      const mutation =
        'mutation($files: [ImportFileInput!]!) { importPredictions(input: { experimentName: "by-api", files: $files }) { runsImported } }';
      const files = [{ name: 'x.csv', content: 'id,label,pred\n' }];
      const first = await via(mutation, { files }, tokens.operator);
      const second = await via(mutation, { files }, tokens.operator);
      expect([first.cache, second.cache]).toEqual(['bypass', 'bypass']);
      expect(imports).toBe(2);
      const after = await via(list, undefined, tokens.viewer);
      expect(after.cache).toBe('miss');
      expect(after.json.data?.experiments).toEqual({ totalCount: 3 });
    } finally {
      await slow.stop();
    }
  });

  it('computes an answer once for concurrent identical requests', async () => {
    const sweep =
      'query($id: ID!) { significanceSweep(experimentId: $id) { rows { temperature scCount } } }';
    const before = server.cacheStats();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => post(sweep, { id: experimentId }, tokens.viewer)),
    );
    expect(answers.filter((a) => a.cache === 'miss')).toHaveLength(1);
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers[0]?.json.errors).toBeUndefined();
    const after = server.cacheStats();
    expect((after?.misses ?? 0) - (before?.misses ?? 0)).toBe(1);
  });

  it('never caches errors, viewer or apiTokens', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const a = await post(comparison, { id: missing }, tokens.viewer);
    const b = await post(comparison, { id: missing }, tokens.viewer);
    expect(a.json.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect([a.cache, b.cache]).toEqual(['miss', 'miss']);
    const viewer = await post('{ viewer { name role } }', undefined, tokens.viewer);
    expect(viewer.cache).toBe('bypass');
    expect(viewer.json.data).toEqual({ viewer: { name: 'v', role: 'viewer' } });
    expect((await post('{ viewer { name } }', undefined, tokens.operator)).json.data).toEqual({
      viewer: { name: 'o' },
    });
    const tokensList = await post('{ apiTokens { name } }', undefined, tokens.viewer);
    expect(tokensList.cache).toBe('bypass');
    expect(tokensList.json.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('is keyed by variables: another experiment gets its own answer', async () => {
    const ids = await gql<{ experiments: { edges: { node: { id: string; name: string } }[] } }>(
      server.url,
      '{ experiments(first: 10) { edges { node { id name } } } }',
      { token: tokens.viewer },
    );
    const second = ids.data?.experiments.edges.find((e) => e.node.name === 'second')?.node;
    if (!second) throw new Error('no experiment "second"');
    await afterWindow();
    const mine = await post(comparison, { id: experimentId }, tokens.viewer);
    const theirs = await post(comparison, { id: second.id }, tokens.viewer);
    expect(theirs.cache).toBe('miss');
    expect(theirs.text).not.toBe(mine.text);
  });
});

// Issue 14: a running study's progress and heartbeats (several writes a second) must not throw
// away cached results, while liveness fields stay fresh.
describe('results version', () => {
  it('stays through progress, epochs and heartbeats and moves when a run finishes', async () => {
    const db = t.warehouse.db;
    // A unit the seeded study lacks, claimed like a worker claims it.
    await insertMissingRuns(db, experimentId, [
      { role: 'student', temperature: null, seed: 2, architecture: 'mlp' },
    ]);
    const { rows } = await db.$client.query<{ id: string }>(
      "select id from runs where experiment_id = $1 and role = 'student' and seed = 2",
      [experimentId],
    );
    const runId = rows[0]?.id;
    if (!runId) throw new Error('the new unit was not inserted');
    const claimed = await claimRun(db, runId, 'worker-host:1');
    if (!claimed) throw new Error('the new unit could not be claimed');

    await afterWindow();
    const sweep =
      'query($id: ID!) { significanceSweep(experimentId: $id) { rows { temperature scCount } } }';
    const runs = 'query($id: ID!) { run(id: $id) { progress epoch heartbeatAt } }';
    const cachedComparison = await post(comparison, { id: experimentId }, tokens.viewer);
    const cachedSweep = await post(sweep, { id: experimentId }, tokens.viewer);
    expect((await post(comparison, { id: experimentId }, tokens.viewer)).cache).toBe('hit');
    const liveBefore = field<{ progress: number; epoch: number; heartbeatAt: string }>(
      await post(runs, { id: runId }, tokens.viewer),
      'run',
    );
    expect(liveBefore).toMatchObject({ progress: 0, epoch: 0 });

    const v0 = await readWarehouseDataVersion(db);
    await writeRunProgress(db, claimed, { fraction: 0.4, epoch: 2, loss: 0.9, accuracy: 0.5 });
    const v1 = await readWarehouseDataVersion(db);
    // heartbeat_at = now() is the transaction's start: a later transaction writes a later time.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await heartbeatRun(db, claimed)).toBe('ok');
    await recordEpoch(db, runId, {
      epoch: 1,
      loss: 0.9,
      trainAccuracy: 0.5,
      evalAccuracy: null,
      imagesPerSec: 100,
      seconds: 2,
    });
    const v2 = await readWarehouseDataVersion(db);
    expect(new Set([v0.all, v1.all, v2.all]).size).toBe(3);
    expect([v1.results, v2.results]).toEqual([v0.results, v0.results]);

    // Results answers are still served from memory, byte for byte; liveness is fresh.
    await afterWindow();
    const comparisonAgain = await post(comparison, { id: experimentId }, tokens.viewer);
    const sweepAgain = await post(sweep, { id: experimentId }, tokens.viewer);
    expect([comparisonAgain.cache, sweepAgain.cache]).toEqual(['hit', 'hit']);
    expect(comparisonAgain.text).toBe(cachedComparison.text);
    expect(sweepAgain.text).toBe(cachedSweep.text);
    const live = await post(runs, { id: runId }, tokens.viewer);
    expect(live.cache).toBe('miss');
    const liveAfter = field<{ progress: number; epoch: number; heartbeatAt: string }>(live, 'run');
    expect(liveAfter).toMatchObject({ progress: 0.4, epoch: 2 });
    expect(Date.parse(liveAfter.heartbeatAt)).toBeGreaterThan(Date.parse(liveBefore.heartbeatAt));

    // The run finishing is a results change: the cached answers go, and the new ones are what
    // the API computes without any cache (this unit stored no predictions, so they are the same).
    expect(await finishRun(db, claimed, { status: 'succeeded' })).toBe(true);
    const v3 = await readWarehouseDataVersion(db);
    expect(v3.results).not.toBe(v2.results);
    await afterWindow();
    const recomputed = await post(comparison, { id: experimentId }, tokens.viewer);
    expect(recomputed.cache).toBe('miss');
    const uncached = await startApiServer({
      db,
      log,
      host: '127.0.0.1',
      port: 0,
      responseCache: false,
    });
    try {
      const direct = await post(comparison, { id: experimentId }, tokens.viewer, uncached.url);
      expect(direct.cache).toBeNull();
      expect(recomputed.text).toBe(direct.text);
      expect(recomputed.text).toBe(cachedComparison.text);
    } finally {
      await uncached.stop();
    }
  });
});
