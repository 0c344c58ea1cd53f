import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@kdlens/core';
import {
  createApiToken,
  type EmbeddedServer,
  embeddedPasswordFile,
  ensureDatabase,
  openWarehouse,
  startEmbeddedPostgres,
  type Warehouse,
  withDatabase,
} from '@kdlens/core/db';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';

// Issue 12, items 2, 8 and 12: the embedded server's superuser password, processes that joined
// it surviving its owner, and failed statements logged without their values. These tests run
// their own embedded servers (whatever TEST_DATABASE_URL says), each in a temporary KDLENS_HOME.

const log = createLogger('warn', 'hostile-pg-test');
const isRoot = os.userInfo().uid === 0;
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const clean of cleanups.reverse()) await clean().catch(() => {});
});

async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `kdlens-hostile-pg-${label}-`));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Tries to log in as postgres; the SQLSTATE when refused, 'ok' when let in. */
async function login(port: number, password: string): Promise<string> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    database: 'postgres',
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return 'ok';
  } catch (error) {
    return String((error as { code?: string }).code);
  } finally {
    await client.end().catch(() => {});
  }
}

function stopChild(
  child: ChildProcess,
  exited: Promise<number | null>,
  signal: NodeJS.Signals = 'SIGTERM',
) {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  return exited;
}

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function graphqlPost(
  url: string,
  query: string,
  variables?: object,
  token?: string,
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function probe(base: string, which: 'healthz' | 'readyz') {
  const response = await fetch(`${base}/${which}`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text() };
}

/**
 * /readyz until it answers `status`, for at most 5 s: the API reuses a probe's answer for 1 s,
 * so the first answer after the database goes away (or comes back) may be the one before.
 */
async function readinessBecomes(base: string, status: number) {
  const until = Date.now() + 5000;
  for (;;) {
    const answer = await probe(base, 'readyz');
    if (answer.status === status || Date.now() > until) return answer;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const EXPERIMENTS = '{ experiments(first: 10) { totalCount edges { node { name } } } }';

/** The PostgreSQL postmaster's pid and its parent's, from postmaster.pid and /proc. */
async function postmaster(dataDir: string): Promise<{ pid: number; parent: number }> {
  const pid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm is "postgres", without spaces.
  const parent = Number((await readFile(`/proc/${pid}/stat`, 'utf8')).split(' ')[3]);
  return { pid, parent };
}

describe('the embedded server with a generated password, joined by an API that outlives its owner', () => {
  let home: string;
  let pgPort: number;
  let owner: Awaited<ReturnType<typeof startCli>>;

  it('kdlens db start: the old password is refused, the 0600 password file works', async () => {
    home = path.join(await tempDir('a'), 'home');
    pgPort = await freePort();
    owner = await startCli(
      ['db', 'start'],
      { KDLENS_HOME: home, KDLENS_PG_PORT: String(pgPort), LOG_LEVEL: 'info' },
      /warehouse ready/,
    );
    cleanups.push(() => stopChild(owner.child, owner.exited));
    const file = embeddedPasswordFile(path.join(home, 'postgres'));
    expect(file).toBe(path.join(home, 'postgres.password'));
    const info = await stat(file);
    expect(info.mode & 0o777).toBe(0o600);
    expect(info.uid).toBe(os.userInfo().uid);
    // KDLENS_HOME is made private; as root PostgreSQL (run as `postgres`) needs the x bit.
    expect((await stat(home)).mode & 0o777).toBe(isRoot ? 0o701 : 0o700);
    const password = (await readFile(file, 'utf8')).trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect(await login(pgPort, 'kdlens')).toBe('28P01'); // invalid_password
    expect(await login(pgPort, password)).toBe('ok');
    // The URL the command prints and logs is redacted.
    expect(owner.output()).toContain(`postgres://postgres:***@127.0.0.1:${pgPort}/kdlens`);
    expect(owner.output()).not.toContain(password);
  });

  it('an API that joined it keeps answering after the owner exits: it restarts the server itself', async () => {
    const data = path.join(home, 'postgres');
    const env = {
      KDLENS_HOME: home,
      KDLENS_PG_PORT: String(pgPort),
      KDLENS_ALLOW_ANONYMOUS_READ: '1',
    };
    const imported = path.join(await tempDir('import'), 'teacher.csv');
    await writeFile(
      imported,
      [
        '# role: teacher',
        '# seed: 0',
        '# architecture: resnet20',
        '# classes: a, b',
        'id,label,pred',
        'e1,0,0',
        'e2,1,0',
        '',
      ].join('\n'),
    );
    const result = await runCli(['import', '--experiment', 'kept-across-restart', imported], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const apiPort = await freePort();
    const api = await startCli(
      ['api'],
      { ...env, KDLENS_API_PORT: String(apiPort) },
      /GraphQL API at/,
    );
    cleanups.push(() => stopChild(api.child, api.exited));
    const base = `http://127.0.0.1:${apiPort}`;
    const url = `${base}/graphql`;
    expect(await probe(base, 'readyz')).toEqual({ status: 200, text: 'ready' });
    const before = await graphqlPost(url, EXPERIMENTS);
    expect(before.status).toBe(200);
    expect(before.body.data).toEqual({
      experiments: { totalCount: 1, edges: [{ node: { name: 'kept-across-restart' } }] },
    });
    const first = await postmaster(data);
    expect(first.parent).toBe(owner.child.pid);

    // SIGTERM: the owner's exit hook stops the server, as on Ctrl-C.
    expect(await stopChild(owner.child, owner.exited)).not.toBe(null);

    const seen = {
      healthz: new Set<number>(),
      readyz: new Set<string>(),
      graphql: new Set<string>(),
    };
    const deadline = Date.now() + 60_000;
    let after: Answer | undefined;
    while (Date.now() < deadline) {
      seen.healthz.add((await probe(base, 'healthz')).status);
      const ready = await probe(base, 'readyz');
      seen.readyz.add(`${ready.status} ${ready.text}`);
      const answer = await graphqlPost(url, EXPERIMENTS);
      seen.graphql.add(`${answer.status} ${answer.body.errors?.[0]?.extensions?.code ?? 'ok'}`);
      if (answer.status === 200 && !answer.body.errors && ready.status === 200) {
        after = answer;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen.healthz).toEqual(new Set([200]));
    // While down (if the loop caught it down at all): a clear 503, never a 500.
    for (const r of seen.readyz)
      expect(r).toMatch(/^(200 ready|503 not ready: database unavailable)$/);
    for (const g of seen.graphql) expect(g).toMatch(/^(200 ok|503 DATABASE_UNAVAILABLE)$/);
    expect(after?.body.data).toEqual(before.body.data);

    // The server now running is a new one, started by the API process.
    const second = await postmaster(data);
    expect(second.pid).not.toBe(first.pid);
    expect(second.parent).toBe(api.child.pid);
    expect(api.output()).toContain(
      'the embedded PostgreSQL stopped; starting it again from this process',
    );

    // The API owns it now: stopping the API stops the server.
    await stopChild(api.child, api.exited);
    await expect(readFile(path.join(data, 'postmaster.pid'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});

describe('a data directory from before generated passwords', () => {
  it('is moved to a generated password on first start, keeping its data; the old one is refused', async () => {
    const home = path.join(await tempDir('b'), 'home');
    const data = path.join(home, 'postgres');
    const file = embeddedPasswordFile(data);
    // What an older KDLens leaves: the fixed password `kdlens` and no password file.
    const old = await startEmbeddedPostgres({ dataDir: data, port: 0, log });
    const admin = new pg.Client({ connectionString: old.adminUrl });
    await admin.connect();
    await admin.query('create table legacy_marker (note text)');
    await admin.query("insert into legacy_marker values ('from the old days')");
    await admin.query("alter role postgres password 'kdlens'");
    await admin.end();
    await old.stop();
    await unlink(file);

    const pgPort = await freePort();
    const started = await startCli(
      ['db', 'start'],
      { KDLENS_HOME: home, KDLENS_PG_PORT: String(pgPort), LOG_LEVEL: 'info' },
      /warehouse ready/,
    );
    cleanups.push(() => stopChild(started.child, started.exited));
    expect(started.output()).toContain('replaced the old fixed password');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const password = (await readFile(file, 'utf8')).trim();
    expect(await login(pgPort, 'kdlens')).toBe('28P01');
    expect(await login(pgPort, password)).toBe('ok');
    const client = new pg.Client({
      host: '127.0.0.1',
      port: pgPort,
      user: 'postgres',
      password,
      database: 'postgres',
    });
    await client.connect();
    expect((await client.query('select note from legacy_marker')).rows).toEqual([
      { note: 'from the old days' },
    ]);
    await client.end();
    await stopChild(started.child, started.exited);

    // Without the file, and the old password no longer working: a clear refusal, not a reset.
    await unlink(file);
    await expect(startEmbeddedPostgres({ dataDir: data, port: pgPort, log })).rejects.toThrow(
      `refuses the old default password and ${file} is missing`,
    );
    // A password file others can read is refused before anything connects.
    await writeFile(file, `${password}\n`);
    await chmod(file, 0o644);
    await expect(startEmbeddedPostgres({ dataDir: data, port: pgPort, log })).rejects.toThrow(
      `${file} is readable by other users (mode 644)`,
    );
    await chmod(file, 0o600);
    const fine = await startEmbeddedPostgres({ dataDir: data, port: pgPort, log });
    expect(fine.owned).toBe(true);
    await fine.stop();
  });
});

describe('an API on a server that goes away (DATABASE_URL)', () => {
  let server: EmbeddedServer;
  let dataDir: string;
  let pgPort: number;
  let url: string;
  let warehouse: Warehouse;
  let api: Awaited<ReturnType<typeof startCli>>;
  let base: string;
  let token: string;

  it('answers 503 DATABASE_UNAVAILABLE while the server is down and recovers on its own', async () => {
    dataDir = path.join(await tempDir('c'), 'postgres');
    pgPort = await freePort();
    server = await startEmbeddedPostgres({ dataDir, port: pgPort, log });
    cleanups.push(() => server.stop());
    await ensureDatabase(server.adminUrl, 'kdlens');
    url = withDatabase(server.adminUrl, 'kdlens');
    warehouse = await openWarehouse({
      config: { databaseUrl: url, home: '/nonexistent', embeddedPgPort: 0 },
      log,
    });
    cleanups.push(() => warehouse.close());
    token = (await createApiToken(warehouse.db, { name: 'importer', role: 'operator' })).token;
    const apiPort = await freePort();
    api = await startCli(
      ['api'],
      { DATABASE_URL: url, KDLENS_API_PORT: String(apiPort), KDLENS_ALLOW_ANONYMOUS_READ: '1' },
      /GraphQL API at/,
    );
    cleanups.push(() => stopChild(api.child, api.exited));
    base = `http://127.0.0.1:${apiPort}`;
    expect(await probe(base, 'readyz')).toEqual({ status: 200, text: 'ready' });

    await server.stop();
    expect(await probe(base, 'healthz')).toEqual({ status: 200, text: 'ok' });
    expect(await readinessBecomes(base, 503)).toEqual({
      status: 503,
      text: 'not ready: database unavailable',
    });
    const down = await graphqlPost(`${base}/graphql`, EXPERIMENTS);
    expect(down.status).toBe(503);
    expect(down.body.errors?.map((e) => e.extensions?.code)).toEqual(['DATABASE_UNAVAILABLE']);
    expect(down.body.errors?.[0]?.message).toMatch(/database is unavailable.*retry/);
    // With a token, the failing step is the token lookup: the same answer.
    const downWithToken = await graphqlPost(`${base}/graphql`, EXPERIMENTS, undefined, token);
    expect(downWithToken.status).toBe(503);
    expect(downWithToken.body.errors?.[0]?.extensions?.code).toBe('DATABASE_UNAVAILABLE');
    expect(JSON.stringify(downWithToken.body)).not.toContain(String(pgPort));

    // Back on the same port: the API's pools reconnect without a restart.
    server = await startEmbeddedPostgres({ dataDir, port: pgPort, log });
    expect(await readinessBecomes(base, 200)).toEqual({ status: 200, text: 'ready' });
    const up = await graphqlPost(`${base}/graphql`, EXPERIMENTS, undefined, token);
    expect(up).toEqual({
      status: 200,
      body: { data: { experiments: { totalCount: 0, edges: [] } } },
    });
  });

  it('logs a failed statement by shape and sizes, never its 400 KB parameter', async () => {
    const marker = `MARKER${'q'.repeat(400_000)}`;
    // Input checks now stop every value PostgreSQL would refuse, so the failure is made on the
    // server: a check no new test set passes (NOT VALID leaves existing rows alone). The insert
    // that fails carries the marker among its example ids.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(
        'alter table experiment_test_sets add constraint hostile_refuse_all check (false) not valid',
      );
    } finally {
      await client.end();
    }
    const content = [
      JSON.stringify({
        run: { role: 'teacher', seed: 0, architecture: 'mlp', classes: ['a', 'b'] },
      }),
      JSON.stringify({ id: `x${marker}`, label: 0, pred: 0 }),
      JSON.stringify({ id: 'y', label: 1, pred: 1 }),
    ].join('\n');
    const before = api.output().length;
    const answer = await graphqlPost(
      `${base}/graphql`,
      'mutation($files: [ImportFileInput!]!) { importPredictions(input: { experimentName: "nul", files: $files }) { runsImported } }',
      { files: [{ name: 'teacher.jsonl', content }] },
      token,
    );
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(answer.body)).not.toContain('MARKER');
    // The log line is written before the answer goes out, but give the pipe a moment.
    await new Promise((r) => setTimeout(r, 300));
    const logged = api.output().slice(before);
    expect(logged).toContain('database statement failed');
    expect(logged).toMatch(/"params":\{"count":\d+,"totalBytes":\d+,"largestBytes":\d+\}/);
    expect(logged).not.toContain('MARKER');
    expect(logged).not.toContain('qqqqqqqqqq');
    for (const line of logged.split('\n')) expect(line.length).toBeLessThanOrEqual(16 * 1024);
  });
});
