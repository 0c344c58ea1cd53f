import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { type ApiServer, startApiServer } from '@kdlens/api';
import { createLogger, writeImportedStudy } from '@kdlens/core';
import { createApiToken } from '@kdlens/core/db';
import { openStudyQueue, type StudyQueue, trainUnitJob } from '@kdlens/core/queue';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../support/api-client.ts';
import { seededStudy } from '../support/seeded-study.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// The API's /metrics (apps/api/src/http/metrics.ts) over a real warehouse and job queue: every
// value below is set up by this test, then read back from the Prometheus text.
const log = createLogger('silent', 'api-metrics');
const METRICS_TOKEN = 'metrics-token-for-the-test-0123';

let t: TestDatabase;
let queue: StudyQueue;
let server: ApiServer;
let viewer = '';
let experimentId = '';

beforeAll(async () => {
  t = await createTestDatabase('metrics');
  const outcome = await writeImportedStudy(
    t.warehouse.db,
    { experiment: 'metered', dataset: 'seeded', files: [] },
    seededStudy({
      classNames: ['cat', 'dog'],
      examplesPerClass: 5,
      seeds: [0, 1, 2],
      arms: [
        {
          role: 'student',
          temperature: null,
          architecture: 'mlp',
          errorByClass: [0.2],
          groupPenalty: 0,
        },
      ],
      sensitive: {},
    }),
  );
  experimentId = outcome.experimentId;
  viewer = (await createApiToken(t.warehouse.db, { name: 'v', role: 'viewer' })).token;
  // Two of the three runs held by two workers, whose last heartbeats were 30 s and 5 s ago.
  await t.warehouse.db.execute(sql`
    update runs set status = 'running', worker = case seed when 0 then 'worker-a' else 'worker-b' end,
      heartbeat_at = now() - make_interval(secs => case seed when 0 then 30 else 5 end)
    where experiment_id = ${experimentId} and seed in (0, 1)`);
  // Three train-unit jobs, one of them fetched by a worker (active).
  queue = await openStudyQueue(t.warehouse, { log, supervise: false });
  for (let i = 0; i < 3; i++) {
    await queue.boss.send(
      trainUnitJob.name,
      { runId: randomUUID(), experimentId },
      { singletonKey: randomUUID() },
    );
  }
  const fetched = await queue.boss.fetch(trainUnitJob.name, { batchSize: 1 });
  expect(fetched).toHaveLength(1);
  server = await startApiServer({
    db: t.warehouse.db,
    log,
    host: '127.0.0.1',
    port: 0,
    allowAnonymousRead: false,
    metricsToken: METRICS_TOKEN,
  });
});
afterAll(async () => {
  await server?.stop();
  await queue?.close();
  await t?.drop();
});

const metricsUrl = () => server.url.replace(/\/graphql$/, '/metrics');

/** The samples of a scrape: `name{labels}` → value. */
async function scrape(headers: Record<string, string> = {}): Promise<Map<string, number>> {
  const response = await fetch(metricsUrl(), { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+) (\S+)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) throw new Error(`not a Prometheus sample: ${line}`);
    samples.set(match[1], Number(match[2]));
  }
  return samples;
}

describe('/metrics', () => {
  it('counts GraphQL requests and latency by operation name, and cache hits', async () => {
    const before = await scrape();
    const named = 'query MeteredExperiments { experiments { edges { node { name } } } }';
    for (let i = 0; i < 4; i++) {
      const r = await gql(server.url, named, { token: viewer });
      expect(r.errors).toEqual([]);
    }
    // Unnamed documents share one label; the text of a query is never one.
    await gql(server.url, '{ experiments { edges { node { id } } } }', { token: viewer });
    const after = await scrape();
    const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
    expect(
      after.get('kdlens_api_graphql_requests_total{operation="MeteredExperiments",status="200"}'),
    ).toBe(4);
    expect(
      after.get(
        'kdlens_api_graphql_request_duration_seconds_count{operation="MeteredExperiments"}',
      ),
    ).toBe(4);
    expect(
      after.get('kdlens_api_graphql_request_duration_seconds_sum{operation="MeteredExperiments"}'),
    ).toBeGreaterThan(0);
    // Every request falls in the +Inf bucket.
    expect(
      after.get(
        'kdlens_api_graphql_request_duration_seconds_bucket{le="+Inf",operation="MeteredExperiments"}',
      ),
    ).toBe(4);
    expect(delta('kdlens_api_graphql_requests_total{operation="(unnamed)",status="200"}')).toBe(1);
    expect([...after.keys()].some((k) => k.includes('experiments {'))).toBe(false);
    // The first MeteredExperiments computed its answer; the three repeats came from memory.
    expect(delta('kdlens_api_response_cache_requests_total{outcome="miss"}')).toBe(2);
    expect(delta('kdlens_api_response_cache_requests_total{outcome="hit"}')).toBe(3);
    expect(after.get('kdlens_api_response_cache_entries')).toBe(2);
    expect(after.get('kdlens_api_graphql_requests_in_flight')).toBe(0);
  });

  it('counts refused requests under their status; their names never add labels', async () => {
    const r = await gql(server.url, 'query Refused { experiments { edges { node { id } } } }');
    expect(r.status).toBe(401);
    expect(r.errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // 120 more names without a token: past the 100-label bound if refused requests could add one.
    for (let i = 0; i < 120; i++) {
      await gql(server.url, `query Flood${i} { experiments { edges { node { id } } } }`);
    }
    const after = await scrape();
    expect(after.get('kdlens_api_graphql_requests_total{operation="(other)",status="401"}')).toBe(
      121,
    );
    expect([...after.keys()].some((k) => k.includes('operation="Refused"'))).toBe(false);
    // A name first seen on an answered request still gets its own label, and a known name keeps
    // it when refused.
    const named = await gql(server.url, 'query AfterFlood { __typename }', { token: viewer });
    expect(named.status).toBe(200);
    await gql(server.url, 'query AfterFlood { experiments { edges { node { id } } } }');
    const last = await scrape();
    expect(last.get('kdlens_api_graphql_requests_total{operation="AfterFlood",status="200"}')).toBe(
      1,
    );
    expect(last.get('kdlens_api_graphql_requests_total{operation="AfterFlood",status="401"}')).toBe(
      1,
    );
  });

  it('reports the queue by pg-boss state, running units and worker heartbeats', async () => {
    const s = await scrape();
    expect(s.get('kdlens_warehouse_ready')).toBe(1);
    expect(s.get('kdlens_queue_jobs{state="created"}')).toBe(2);
    expect(s.get('kdlens_queue_jobs{state="active"}')).toBe(1);
    expect(s.get('kdlens_queue_jobs{state="completed"}')).toBe(0);
    expect(s.get('kdlens_queue_jobs{state="failed"}')).toBe(0);
    expect(s.get('kdlens_running_units')).toBe(2);
    expect(s.get('kdlens_busy_workers')).toBe(2);
    // worker-a's newest heartbeat is 30 s old (plus the time this test took so far).
    const age = s.get('kdlens_worker_heartbeat_age_max_seconds') ?? 0;
    expect(age).toBeGreaterThanOrEqual(30);
    expect(age).toBeLessThan(90);
  });

  it('refuses what is not this machine, and API tokens; KDLENS_METRICS_TOKEN opens it', async () => {
    const refused = async (headers: Record<string, string>) => {
      const response = await fetch(metricsUrl(), { headers });
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(await response.text()).toMatch(/^forbidden: \/metrics needs Authorization/);
    };
    // Through a reverse proxy on this machine, and a DNS-rebound page (another Host).
    await refused({ 'x-forwarded-for': '203.0.113.9' });
    await refused({ forwarded: 'for=203.0.113.9' });
    // fetch() sets Host itself; a DNS-rebound page's request names the attacker's host.
    const rebound = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      http
        .get(metricsUrl(), { headers: { host: 'attacker.example:4000' } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode, body }));
        })
        .on('error', reject);
    });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toMatch(/^forbidden/);
    // A viewer's API token is not the metrics token.
    await refused({ 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${viewer}` });
    const s = await scrape({
      'x-forwarded-for': '203.0.113.9',
      authorization: `Bearer ${METRICS_TOKEN}`,
    });
    expect(s.get('kdlens_warehouse_ready')).toBe(1);
  });
});
