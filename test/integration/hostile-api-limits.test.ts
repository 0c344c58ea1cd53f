import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiServer, startApiServer } from '@kdlens/api';
import { createLogger } from '@kdlens/core';
import { createApiToken, createDatabase, type Database } from '@kdlens/core/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, gql } from '../support/api-client.ts';
import { type ApiProcess, startApiProcess } from '../support/api-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// Issue 12, items 5, 6 and 15: a server whose memory, SQL and connections one hostile client
// cannot run away with. Small limits, set through the environment as an operator would.
const HEADERS_TIMEOUT_MS = 1000;
const KEEPALIVE_TIMEOUT_MS = 500;
const MAX_CONNECTIONS = 60;
const MAX_CONCURRENT = 2;
const QUEUE_MS = 300;
/** Node checks the headers timeout every headersTimeout / 4 (limits in server.ts). */
const CHECK_INTERVAL_MS = HEADERS_TIMEOUT_MS / 4;
/**
 * Allowed growth (after a full GC) over 1,000 distinct 64–256 KiB queries, 156 MB sent in all,
 * measured after as many again have warmed up the allocator. Before the fix, the texts kept by the
 * response cache's memo and by Apollo's document store grew RSS by 190 MB.
 *
 * What the heap and external buffers hold is the exact measure of what the server keeps: nothing
 * malloc keeps for reuse counts there. RSS is checked too, against a bound that a leak of the
 * texts breaks (156 MB) but malloc's own retention does not: that ranged from −70 to +35 MB
 * between runs on a loaded 2-core machine.
 */
const RETAINED_BOUND_BYTES = 16 * 1024 * 1024;
const RSS_BOUND_BYTES = 96 * 1024 * 1024;

let t: TestDatabase;
let api: ApiProcess;
const tokens = { a: '', b: '' };

beforeAll(async () => {
  t = await createTestDatabase('limits');
  tokens.a = (await createApiToken(t.warehouse.db, { name: 'a', role: 'viewer' })).token;
  tokens.b = (await createApiToken(t.warehouse.db, { name: 'b', role: 'viewer' })).token;
  api = await startApiProcess({
    DATABASE_URL: t.url,
    KDLENS_HOME: '/nonexistent',
    KDLENS_API_MAX_CONCURRENT: String(MAX_CONCURRENT),
    KDLENS_API_QUEUE_MS: String(QUEUE_MS),
    KDLENS_API_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    KDLENS_API_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    KDLENS_API_KEEPALIVE_TIMEOUT_MS: String(KEEPALIVE_TIMEOUT_MS),
  });
});
afterAll(async () => {
  await api?.stop();
  await t?.drop();
});

/**
 * Runs `work` over 0..n-1, MAX_CONCURRENT at a time for each of tokens a and b (so no request is
 * refused): `work` gets the index and the token to send.
 */
async function pool(n: number, work: (i: number, token: string) => Promise<void>) {
  let next = 0;
  const workers = [tokens.a, tokens.b].flatMap((token) =>
    Array.from({ length: MAX_CONCURRENT }, () => token),
  );
  await Promise.all(
    workers.map(async (token) => {
      while (next < n) await work(next++, token);
    }),
  );
}

describe('the response cache and the document store keep no query texts (item 5)', () => {
  it('1,000 distinct 64–256 KiB queries leave the heap within 16 MB and RSS within 96 MB of before', async () => {
    const query = (i: number, kib: number) =>
      `{ experiments(first: 1) { totalCount } } # ${i} ${'x'.repeat(kib * 1024)}`;
    // Warm-up: JIT, the pool's connections, Apollo's first documents and the allocator's own
    // high-water mark (the same 1,000 sizes once, so freed body buffers are there to reuse) are
    // not what is measured. A leak grows with every request; retention by malloc does not.
    await pool(100, async (i, token) => {
      const r = await gql(api.url, query(-i, 64), { token });
      expect(r.errors).toEqual([]);
    });
    await pool(1000, async (i, token) => {
      const r = await gql(api.url, query(-1000 - i, 64 + ((i * 7) % 193)), { token });
      expect(r.status, r.text).toBe(200);
    });
    const before = await api.memory();
    let sent = 0;
    await pool(1000, async (i, token) => {
      // 64 to 256 KiB, spread evenly (7 is prime to 193, so the sizes cycle through all 193).
      const kib = 64 + ((i * 7) % 193);
      sent += kib * 1024;
      const r = await gql(api.url, query(i, kib), { token });
      expect(r.status, r.text).toBe(200);
      expect(r.data).toEqual({ experiments: { totalCount: 0 } });
    });
    const after = await api.memory();
    const stats = await api.stats();
    console.log(
      JSON.stringify({
        test: 'rss-after-1000-large-queries',
        sentMB: sent / 2 ** 20,
        rssBeforeMB: before.rss / 2 ** 20,
        rssAfterMB: after.rss / 2 ** 20,
        retainedBeforeMB: before.retained / 2 ** 20,
        retainedAfterMB: after.retained / 2 ** 20,
        stats,
      }),
    );
    expect(sent).toBeGreaterThan(150 * 2 ** 20);
    expect(after.retained - before.retained).toBeLessThan(RETAINED_BOUND_BYTES);
    expect(after.rss - before.rss).toBeLessThan(RSS_BOUND_BYTES);
    // Nothing large stayed: no texts over 16 KiB were cached, parsed documents or remembered.
    expect(stats.responseCache?.bypasses).toBeGreaterThanOrEqual(2100);
    expect(stats.responseCache?.bytes).toBeLessThan(64 * 1024);
    expect(stats.responseCache?.documents).toBe(0);
    expect(stats.documentStore.documents).toBe(0);
  });
});

describe('aliases pay for their SQL (item 6)', () => {
  let server: ApiServer;
  let db: Database;
  const statements: string[] = [];

  beforeAll(async () => {
    // In this process, so the SQL the API sends can be recorded at its pool.
    db = createDatabase(t.url);
    const query = db.$client.query.bind(db.$client) as (...args: unknown[]) => unknown;
    Object.assign(db.$client, {
      query: (...args: unknown[]) => {
        const [first] = args;
        statements.push(
          typeof first === 'string'
            ? first
            : typeof first === 'object' && first !== null && 'text' in first
              ? String(first.text)
              : '?',
        );
        return query(...args);
      },
    });
    server = await startApiServer({
      db,
      log: createLogger('silent', 'limits'),
      host: '127.0.0.1',
      port: 0,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.$client.end();
  });

  const aliases = (n: number) =>
    `{ ${Array.from({ length: n }, (_, i) => `a${i}: experiments(first: 100) { totalCount }`).join(' ')} }`;
  // The page statement of experiment-page.ts (the data version also reads the table).
  const pageQueries = () => statements.filter((s) => s.includes('count(*) over ()'));

  it('1,800 aliases of experiments(first: 100) are QUERY_TOO_COMPLEX before any page query runs', async () => {
    statements.length = 0;
    const started = performance.now();
    const r = await gql(server.url, aliases(1800), { token: tokens.a });
    const ms = performance.now() - started;
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(r.errors[0]?.message).toBe(
      'the operation asks for 1800 root fields (aliases count each); the limit is 20 (KDLENS_API_MAX_ROOT_FIELDS): send fewer aliases, or several requests',
    );
    expect(r.data ?? null).toBeNull();
    // Only the token was looked up; before, 1,800 page queries ran (3.1 s in issue 12).
    expect(pageQueries()).toEqual([]);
    // The token's lookup (and its last-used stamp), nothing else: the text is too long to be
    // cached, so not even the data version is read.
    expect(statements.length).toBeGreaterThan(0);
    for (const sql of statements) expect(sql).toMatch(/from "api_tokens"|update "api_tokens"/);
    expect(ms).toBeLessThan(2000);
  });

  it('2 aliases still work, one page query each', async () => {
    statements.length = 0;
    const r = await gql(server.url, aliases(2), { token: tokens.a });
    expect(r.errors).toEqual([]);
    expect(r.data).toEqual({ a0: { totalCount: 0 }, a1: { totalCount: 0 } });
    // An empty page counts its total again: two statements per alias (root-field-cost.ts).
    expect(pageQueries()).toHaveLength(4);
  });
});

describe('one caller cannot take the server (item 6)', () => {
  it('requests over KDLENS_API_MAX_CONCURRENT get 429 RATE_LIMITED; another token is served', async () => {
    // 100,000 experiments make a name search a real sequential scan (tens of ms), so the
    // requests overlap; distinct names keep the response cache from sharing one answer.
    await t.warehouse.db.$client.query(
      `insert into experiments (name, dataset, spec)
       select 'bulk-' || g, 'bulk', '{}'::jsonb from generate_series(1, 100000) g`,
    );
    await t.warehouse.db.$client.query('analyze experiments');
    const search = (name: string) =>
      `{ experiments(first: 100, filter: { name: "${name}" }) { totalCount } }`;
    const single = performance.now();
    expect((await gql(api.url, search('warm'), { token: tokens.b })).errors).toEqual([]);
    const singleMs = performance.now() - single;

    const burst = 16;
    const flood = Array.from({ length: burst }, (_, i) =>
      fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.a}` },
        body: JSON.stringify({ query: search(`none-${i}`) }),
      }).then(async (response) => ({
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        body: (await response.json()) as { errors?: { message: string; extensions: object }[] },
      })),
    );
    await sleep(20);
    const otherStarted = performance.now();
    const other = await gql(api.url, search('other'), { token: tokens.b });
    const otherMs = performance.now() - otherStarted;
    const answers = await Promise.all(flood);
    console.log(
      JSON.stringify({
        test: 'rate-limit',
        singleMs,
        otherMs,
        statuses: answers.map((a) => a.status),
      }),
    );

    expect(other.status).toBe(200);
    expect(other.data).toEqual({ experiments: { totalCount: 0 } });
    const ok = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    expect(ok.length + limited.length).toBe(burst);
    // 2 run, 4 × 2 = 8 wait (QUEUED_PER_SLOT), the other 6 are refused at once; waiters that
    // get no slot within 300 ms are refused too.
    expect(ok.length).toBeGreaterThanOrEqual(MAX_CONCURRENT);
    expect(limited.length).toBeGreaterThanOrEqual(burst - 5 * MAX_CONCURRENT);
    for (const answer of limited) {
      expect(answer.retryAfter).toBe('1');
      expect(answer.body).toEqual({
        errors: [
          {
            message:
              'too many requests at once from this caller: at most 2 run at a time (KDLENS_API_MAX_CONCURRENT); retry after 1 s',
            extensions: { code: 'RATE_LIMITED' },
          },
        ],
      });
    }
    // Token b has slots of its own: it is not queued behind token a's 16, only shares the CPU
    // and the database with a's 2 running queries (measured 3–5 × a lone query under load).
    expect(otherMs).toBeLessThan(singleMs * 6 + 1000);
    expect((await api.stats()).callers).toEqual({ callers: 0, running: 0, waiting: 0 });
  });
});

/** A promise and the function that resolves it (Promise.withResolvers is Node 22). */
function opened() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('callers are counted as they are, and all of them together are bounded (issue 12 review)', () => {
  let server: ApiServer;
  let db: Database;
  /** Page queries wait for this, so requests hold their slots until a test lets them go. */
  let gate = opened();
  let readinessProbes = 0;
  const serverTokens: string[] = [];
  // 1 per caller (4 for anonymous local clients), 6 over all callers, no waiting: every
  // refusal comes at once and names the limit that made it.
  const limits = { maxConcurrent: 1, maxRunning: 6, queueMs: 0 };

  beforeAll(async () => {
    db = createDatabase(t.url);
    const query = db.$client.query.bind(db.$client) as (...args: unknown[]) => unknown;
    Object.assign(db.$client, {
      query: (...args: unknown[]) => {
        const [first] = args;
        const text =
          typeof first === 'string'
            ? first
            : typeof first === 'object' && first !== null && 'text' in first
              ? String(first.text)
              : '';
        if (text.includes('__drizzle_migrations')) readinessProbes++;
        // The page statement of experiment-page.ts.
        if (text.includes('count(*) over ()')) return gate.promise.then(() => query(...args));
        return query(...args);
      },
    });
    for (let i = 0; i < 7; i++) {
      serverTokens.push(
        (await createApiToken(t.warehouse.db, { name: `many-${i}`, role: 'viewer' })).token,
      );
    }
    server = await startApiServer({
      db,
      log: createLogger('silent', 'limits'),
      host: '127.0.0.1',
      port: 0,
      allowAnonymousRead: true,
      limits,
      responseCache: false,
    });
  });
  afterAll(async () => {
    gate.resolve();
    await server?.stop();
    await db?.$client.end();
  });

  // A name no experiment has (the test above left 100,000 others).
  const page = '{ experiments(first: 1, filter: { name: "no-such-experiment" }) { totalCount } }';

  /** POSTs `page` from the local address `from`, with `token` if given. */
  function post(from: string, token?: string) {
    return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const body = JSON.stringify({ query: page });
      const req = http.request(server.url, {
        method: 'POST',
        localAddress: from,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.end(body);
    });
  }

  async function runningReaches(n: number) {
    const deadline = performance.now() + 5000;
    while (server.stats().callers.running < n) {
      if (performance.now() > deadline)
        throw new Error(`never ${n} running: ${JSON.stringify(server.stats())}`);
      await sleep(10);
    }
  }

  it('anonymous requests from 127.9.9.9 and 127.9.9.10 share one caller of 4 × KDLENS_API_MAX_CONCURRENT', async () => {
    gate = opened();
    // Before, each source address was a caller of its own: the second from each was refused,
    // and 127.9.9.11 had fresh slots.
    const held = ['127.9.9.9', '127.9.9.10', '127.9.9.9', '127.9.9.10'].map((from) => post(from));
    await runningReaches(4);
    expect(server.stats().callers).toEqual({ callers: 1, running: 4, waiting: 0 });
    const refused = await post('127.9.9.11');
    expect(refused).toEqual({
      status: 429,
      body: {
        errors: [
          {
            message:
              'too many requests at once from this caller: at most 4 run at a time (4 × KDLENS_API_MAX_CONCURRENT, shared by all anonymous clients on this machine); retry after 1 s',
            extensions: { code: 'RATE_LIMITED' },
          },
        ],
      },
    });
    // A token is a caller of its own, even from the same address.
    const withToken = post('127.9.9.9', serverTokens[0]);
    await runningReaches(5);
    gate.resolve();
    for (const answer of await Promise.all([...held, withToken])) {
      expect(answer).toEqual({ status: 200, body: { data: { experiments: { totalCount: 0 } } } });
    }
    expect(server.stats().callers).toEqual({ callers: 0, running: 0, waiting: 0 });
  });

  it('7 tokens with a slot each run at most KDLENS_API_MAX_RUNNING (6) at once; the 7th gets 503 SERVER_BUSY', async () => {
    gate = opened();
    const held = serverTokens.slice(0, 6).map((token) => post('127.0.0.1', token));
    await runningReaches(6);
    expect(server.stats().callers).toEqual({ callers: 6, running: 6, waiting: 0 });
    const busy = {
      status: 503,
      body: {
        errors: [
          {
            message:
              'the server is busy: at most 6 requests run at a time, all callers together (KDLENS_API_MAX_RUNNING); retry after 1 s',
            extensions: { code: 'SERVER_BUSY' },
          },
        ],
      },
    };
    expect(await post('127.0.0.1', serverTokens[6])).toEqual(busy);
    // Anonymous local clients have slots of their own, but not the server's.
    expect(await post('127.0.0.1')).toEqual(busy);
    expect(server.stats().callers).toEqual({ callers: 6, running: 6, waiting: 0 });
    gate.resolve();
    for (const answer of await Promise.all(held)) {
      expect(answer).toEqual({ status: 200, body: { data: { experiments: { totalCount: 0 } } } });
    }
    expect(server.stats().callers).toEqual({ callers: 0, running: 0, waiting: 0 });
    // Slots come back: the refused token is served now.
    expect(await post('127.0.0.1', serverTokens[6])).toEqual({
      status: 200,
      body: { data: { experiments: { totalCount: 0 } } },
    });
  });

  it('50 concurrent /readyz share one database probe', async () => {
    // Past the answer-reuse window of any earlier probe.
    await sleep(1100);
    readinessProbes = 0;
    const readyz = server.url.replace('/graphql', '/readyz');
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const response = await fetch(readyz);
        return { status: response.status, text: await response.text() };
      }),
    );
    for (const answer of answers) expect(answer).toEqual({ status: 200, text: 'ready' });
    // One, or two if the answer's 1 s of reuse ran out while the 50 were still arriving;
    // before, one probe (and one pooled connection for up to 2 s) per request.
    expect(readinessProbes).toBeGreaterThanOrEqual(1);
    expect(readinessProbes).toBeLessThanOrEqual(2);
  });
});

describe('connections (item 15)', () => {
  /** Opens a connection; resolves when it is open, `closed` when the server closes it. */
  function connect(port: number) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('data', () => {});
    const opened = performance.now();
    const closed = new Promise<number>((resolve) =>
      socket.on('close', () => resolve(performance.now() - opened)),
    );
    const ready = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    return { socket, ready, closed };
  }

  it('half-open connections trickling headers are cut off after KDLENS_API_HEADERS_TIMEOUT_MS', async () => {
    // Kept-alive sockets of the earlier tests close after KDLENS_API_KEEPALIVE_TIMEOUT_MS.
    await sleep(KEEPALIVE_TIMEOUT_MS * 2);
    const port = Number(new URL(api.url).port);
    const slow = Array.from({ length: 50 }, () => connect(port));
    await Promise.all(slow.map((c) => c.ready));
    const trickle = setInterval(() => {
      for (const c of slow) if (!c.socket.destroyed) c.socket.write('x-slow: 1\r\n');
    }, 100);
    for (const c of slow) c.socket.write('POST /graphql HTTP/1.1\r\nhost: x\r\n');
    const closedAfter = await Promise.all(slow.map((c) => c.closed));
    clearInterval(trickle);
    console.log(
      JSON.stringify({
        test: 'slowloris',
        minMs: Math.min(...closedAfter),
        maxMs: Math.max(...closedAfter),
      }),
    );
    // Before, Node's defaults kept them 60 s and more (headers timeout checked every 30 s).
    for (const ms of closedAfter) {
      expect(ms).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS + CHECK_INTERVAL_MS + 500);
    }
    const health = await fetch(api.url.replace('/graphql', '/healthz'));
    expect(health.status).toBe(200);
  });

  it('connections over KDLENS_API_MAX_CONNECTIONS are closed at once', async () => {
    await sleep(KEEPALIVE_TIMEOUT_MS * 2);
    const port = Number(new URL(api.url).port);
    const droppedBefore = (await api.stats()).droppedConnections;
    const held = Array.from({ length: MAX_CONNECTIONS }, () => connect(port));
    await Promise.all(held.map((c) => c.ready));
    // Let the server accept every one of them before the extra ones arrive.
    await sleep(100);
    const extra = Array.from({ length: 10 }, () => connect(port));
    const extraClosed = await Promise.all(extra.map((c) => c.closed));
    for (const ms of extraClosed) expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS / 2);
    expect((await api.stats()).droppedConnections - droppedBefore).toBe(10);
    // The held ones are still open, until the headers timeout closes them too.
    expect(held.filter((c) => c.socket.destroyed)).toHaveLength(0);
    await Promise.all(held.map((c) => c.closed));
    const health = await fetch(api.url.replace('/graphql', '/healthz'));
    expect(health.status).toBe(200);
  });
});
