import net from 'node:net';
import { startApiServer } from '@kdlens/api';
import { createLogger, writeImportedStudy } from '@kdlens/core';
import { createApiToken } from '@kdlens/core/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { gql } from '../support/api-client.ts';
import { seededStudy } from '../support/seeded-study.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// Graceful shutdown of the API (`kdlens serve` / `kdlens api` run this on Ctrl-C and SIGTERM):
// the listener closes at once, and a request already in flight still gets its answer.
const log = createLogger('silent', 'api-shutdown');
let t: TestDatabase;
let viewer = '';

beforeAll(async () => {
  t = await createTestDatabase('shutdown');
  await writeImportedStudy(
    t.warehouse.db,
    { experiment: 'slow', dataset: 'seeded', files: [] },
    seededStudy({
      classNames: ['cat', 'dog'],
      examplesPerClass: 5,
      seeds: [0],
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
  viewer = (await createApiToken(t.warehouse.db, { name: 'v', role: 'viewer' })).token;
});
afterAll(async () => {
  await t?.drop();
});

/** Whether a TCP connection to host:port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

it('stops accepting at once and finishes the request in flight before stop() resolves', async () => {
  const server = await startApiServer({
    db: t.warehouse.db,
    log,
    host: '127.0.0.1',
    port: 0,
    allowAnonymousRead: false,
    responseCache: false,
  });
  const port = Number(new URL(server.url).port);
  let stopped = false;
  let stopping: Promise<void> | undefined;
  // A lock held in another transaction makes the request wait in the database: slow, for real.
  const { inFlight } = await t.warehouse.db.transaction(async (tx) => {
    await tx.execute(sql`lock table experiments in access exclusive mode`);
    const inFlight = gql<{ experiments: { edges: { node: { name: string } }[] } }>(
      server.url,
      'query Slow { experiments { edges { node { name } } } }',
      { token: viewer },
    );
    // Until the request's statement waits on the lock.
    const deadline = Date.now() + 10_000;
    for (;;) {
      // pg_locks, unlike pg_stat_activity, shows every session's waits to any role.
      const waiting = await tx.execute<{ n: number }>(sql`
        select count(*)::int as n from pg_locks
        where not granted and relation = 'experiments'::regclass`);
      if ((waiting.rows[0]?.n ?? 0) > 0) break;
      if (Date.now() > deadline) throw new Error('the request never reached the database');
      await new Promise((r) => setTimeout(r, 20));
    }
    stopping = server.stop().then(() => {
      stopped = true;
    });
    // New connections are refused while the request in flight goes on.
    const deadlineRefused = Date.now() + 5000;
    while (!(await refused(port))) {
      if (Date.now() > deadlineRefused) throw new Error('the API still accepts connections');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(stopped).toBe(false);
    // Wrapped: a promise returned as such would be awaited before the lock is released.
    return { inFlight };
  });
  const answer = await inFlight;
  expect(answer.status).toBe(200);
  expect(answer.errors).toEqual([]);
  expect(answer.data?.experiments.edges.map((e) => e.node.name)).toEqual(['slow']);
  await stopping;
  expect(stopped).toBe(true);
  expect(await refused(port)).toBe(true);
});
