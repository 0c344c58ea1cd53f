/**
 * Issue 14, item 3: KDLens across machines, each machine a Linux network namespace on one private
 * LAN this test creates (support/netns.ts): a db host running PostgreSQL, a server host running
 * `kdlens serve`, two worker hosts running `kdlens worker`, a client host with a token and
 * headless Chromium. The test process itself reaches nothing: every request is made from a
 * namespace, on addresses that exist only there.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromiumPath, haveChromium } from '../support/browser.ts';
import { cliEnv, kdlensBin } from '../support/cli.ts';
import {
  createNetwork,
  killNamespaceProcesses,
  type Netns,
  type NetnsNetwork,
  netnsUnavailable,
} from '../support/netns.ts';
import {
  type HostProcess,
  initNamespacePostgres,
  type NamespacePostgres,
  PG_BIN,
  runOn,
  startOn,
} from '../support/netns-hosts.ts';

const webBuilt = existsSync(path.join(path.dirname(kdlensBin), '../../web/.next/BUILD_ID'));

const skip =
  netnsUnavailable() ??
  (existsSync(path.join(PG_BIN, 'postgres')) ? null : `no PostgreSQL server in ${PG_BIN}`) ??
  (webBuilt ? null : 'the web app is not built (npm run build -w @kdlens/web)') ??
  (haveChromium ? null : `no Chromium at ${chromiumPath}`);
if (skip !== null) process.stdout.write(`multi-host.test.ts skipped: ${skip}\n`);

const playwright = fileURLToPath(import.meta.resolve('playwright-core'));
// Short liveness, so a dead worker host is noticed in seconds (stale ≥ 2 heartbeats).
const liveness = { KDLENS_HEARTBEAT_SECONDS: '1', KDLENS_STALE_SECONDS: '6' };

let net: NetnsNetwork | undefined;
let base = '';
let postgres: NamespacePostgres | undefined;
const hosts = () => {
  const h = net?.hosts;
  if (!h?.db || !h.server || !h.w1 || !h.w2 || !h.client) throw new Error('no network');
  return { db: h.db, server: h.server, w1: h.w1, w2: h.w2, client: h.client };
};

/** A node ESM script run on `ns`; its stdout as JSON. */
async function script<T>(ns: Netns, body: string): Promise<T> {
  const file = path.join(base, `script-${randomBytes(4).toString('hex')}.mjs`);
  await writeFile(file, body);
  return JSON.parse(await runOn(ns, [process.execPath, file], process.env)) as T;
}

const kdlens = (ns: Netns, args: string[], env: Record<string, string>) =>
  runOn(ns, [process.execPath, kdlensBin, ...args], cliEnv(env));

beforeAll(async () => {
  if (skip !== null) return;
  net = createNetwork(['db', 'server', 'w1', 'w2', 'client']);
  base = await mkdtemp(path.join(os.tmpdir(), 'kdlens-multi-host-'));
  postgres = initNamespacePostgres(hosts().db, base);
  await postgres.start();
}, 120_000);

afterAll(async () => {
  if (net) for (const ns of Object.values(net.hosts)) killNamespaceProcesses(ns);
  net?.remove();
  if (base) await rm(base, { recursive: true, force: true });
});

interface RunView {
  id: string;
  role: string;
  temperature: number | null;
  seed: number;
  status: string;
  attempt: number;
  worker: string | null;
  epoch: number;
  backend: string | null;
}

it.skipIf(skip !== null)(
  'a study trained by two worker hosts survives a dead worker host and a database restart; the client signs in and browses it',
  async () => {
    const { server, w1, w2, client } = hosts();
    const api = `http://${server.address}:4000`;
    const web = `http://${server.address}:3000`;
    if (!postgres) throw new Error('no database host');
    const db = postgres;
    const common = { DATABASE_URL: db.url, ...liveness };
    const serverEnv = {
      ...common,
      KDLENS_HOME: path.join(base, 'server-home'),
      KDLENS_API_HOST: server.address,
      KDLENS_API_PORT: '4000',
      KDLENS_WEB_PORT: '3000',
    };
    const viewer = (
      await kdlens(server, ['token', 'create', '--role', 'viewer', '--name', 'teammate'], serverEnv)
    ).trim();
    await startOn(
      server,
      [process.execPath, kdlensBin, 'serve', '--host', server.address],
      cliEnv(serverEnv),
      /Ctrl-C stops/,
    );

    // A tiny study; the teacher trains long enough (60 short epochs, a checkpoint after each)
    // to be caught mid-unit.
    const spec = path.join(base, 'team-study.yaml');
    await writeFile(
      spec,
      `name: team-study
dataset:
  name: trifeature
  imageSize: 16
  generator: { trainCount: 512, testCount: 64 }
teacher: { architecture: mlp, epochs: 60, batchSize: 32, learningRate: 0.003, options: { hidden: [32] } }
student: { architecture: mlp, epochs: 2, batchSize: 32, learningRate: 0.003, options: { hidden: [8] } }
kd: { temperatures: [4] }
seeds: 1
backend: wasm
`,
    );
    expect(await kdlens(server, ['run', spec], serverEnv)).toContain('team-study: 3 new');

    const workerEnv = (name: string) =>
      cliEnv({ ...common, KDLENS_HOME: path.join(base, name), LOG_LEVEL: 'info' });
    const workerArgv = [process.execPath, kdlensBin, 'worker', '--experiment', 'team-study'];
    const workers = new Map<Netns, HostProcess>([
      [w1, await startOn(w1, workerArgv, workerEnv('w1'), /waiting for units of team-study/)],
      [w2, await startOn(w2, workerArgv, workerEnv('w2'), /waiting for units of team-study/)],
    ]);

    const graphql = <T>(query: string, token: string | null) =>
      script<{ status: number; body: T }>(
        client,
        `const r = await fetch(${JSON.stringify(`${api}/graphql`)}, { method: 'POST',
           headers: { 'content-type': 'application/json', ${token === null ? '' : `authorization: 'Bearer ${token}'`} },
           body: ${JSON.stringify(JSON.stringify({ query }))} });
         process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() }));`,
      );
    const runsQuery =
      '{ experiment(name: "team-study") { id status runs { id role temperature seed status attempt worker epoch backend } } }';
    type Study = { experiment: { id: string; status: string; runs: RunView[] } };
    const study = async () => {
      const answer = await graphql<{ data?: Study }>(runsQuery, viewer);
      if (!answer.body.data) throw new Error(`no data: ${JSON.stringify(answer.body)}`);
      return answer.body.data.experiment;
    };
    const until = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 120_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const value = await probe().catch(() => undefined);
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(250);
      }
    };

    // One worker host dies (power cut: SIGKILL of everything on it) mid-teacher.
    const teacher = await until('the teacher past its third epoch', async () => {
      const r = (await study()).runs.find((x) => x.role === 'teacher');
      return r?.status === 'running' && r.epoch >= 3 ? r : undefined;
    });
    const pidOf = (worker: string | null) => Number(worker?.split('#')[0]?.split(':').at(-1));
    const pidsOn = (ns: Netns) =>
      execFileSync('ip', ['netns', 'pids', ns.name], { encoding: 'utf8' }).split('\n').map(Number);
    const victim = pidsOn(w1).includes(pidOf(teacher.worker)) ? w1 : w2;
    const survivor = victim === w1 ? w2 : w1;
    expect(pidsOn(victim)).toContain(pidOf(teacher.worker));
    const killedAt = Date.now();
    expect(killNamespaceProcesses(victim)).toBeGreaterThan(0);
    const resumed = await until('the teacher to resume on the other host', async () => {
      const r = (await study()).runs.find((x) => x.id === teacher.id);
      return r?.status === 'running' && r.attempt === teacher.attempt + 1 ? r : undefined;
    });
    const resumeSeconds = (Date.now() - killedAt) / 1000;
    expect(pidsOn(survivor)).toContain(pidOf(resumed.worker));
    process.stdout.write(
      `${JSON.stringify({ measure: 'worker death to unit resumed on another host', seconds: resumeSeconds, staleAfterSeconds: 6, loadavg: os.loadavg() })}\n`,
    );

    // The db host restarts mid-study: /readyz reports it while it lasts, then all reconnect.
    const probe = () =>
      script<{ api: number; web: number }>(
        client,
        `const s = async (u) => { try { return (await fetch(u)).status; } catch { return -1; } };
         process.stdout.write(JSON.stringify({ api: await s(${JSON.stringify(`${api}/readyz`)}), web: await s(${JSON.stringify(`${web}/readyz`)}) }));`,
      );
    expect(await probe()).toEqual({ api: 200, web: 200 });
    await db.stop();
    const during = await until('/readyz to report the outage', async () => {
      const p = await probe();
      return p.api === 503 ? p : undefined;
    });
    expect(during.api).toBe(503);
    await sleep(1500);
    await db.start();
    await until('/readyz to recover', async () => {
      const p = await probe();
      return p.api === 200 && p.web === 200 ? p : undefined;
    });

    const done = await until('the study to finish', async () => {
      const s = await study();
      return ['succeeded', 'failed', 'cancelled'].includes(s.status) ? s : undefined;
    });
    expect(done.status).toBe('succeeded');
    // No lost and no duplicated runs: exactly the plan's three, each succeeded once.
    expect(done.runs.map((r) => [r.role, r.temperature, r.seed, r.status]).sort()).toEqual([
      ['distilled', 4, 0, 'succeeded'],
      ['student', null, 0, 'succeeded'],
      ['teacher', null, 0, 'succeeded'],
    ]);
    expect(done.runs.every((r) => r.backend === 'wasm')).toBe(true);
    // Trained entirely by the worker hosts: every run's last worker was a process on one of them.
    const workerPids = new Set([...pidsOn(w1), ...pidsOn(w2)]);
    expect(done.runs.find((r) => r.id === teacher.id)?.attempt).toBeGreaterThanOrEqual(2);
    expect(workerPids.has(pidOf(done.runs.find((r) => r.id === teacher.id)?.worker ?? null))).toBe(
      true,
    );
    expect(workers.get(survivor)?.output()).toMatch(/unit resumed from its checkpoint/);

    // The client: anonymous requests refused, the viewer's token answered, and in Chromium the
    // teammate signs in and browses the study.
    const anonymous = await graphql<{ errors?: { extensions: { code: string } }[] }>(
      '{ experiments { edges { node { id } } } }',
      null,
    );
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    const page = await script<{
      anonymousPage: string;
      name: string;
      opened: string;
      rows: number;
    }>(
      client,
      `import { chromium } from ${JSON.stringify(playwright)};
       const browser = await chromium.launch({ executablePath: ${JSON.stringify(chromiumPath)}, headless: true,
         args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
       try {
         const page = await browser.newPage();
         await page.goto(${JSON.stringify(`${web}/experiments`)});
         // The page streams in (a loading state first): wait for the refusal itself.
         const anonymousPage = await page.getByText('Sign in with an API token to see this.').first().innerText();
         await page.goto(${JSON.stringify(`${web}/sign-in`)});
         await page.getByLabel('API token').fill(${JSON.stringify(viewer)});
         await page.getByRole('button', { name: 'Sign in' }).click();
         await page.waitForURL(${JSON.stringify(`${web}/experiments`)});
         await page.getByTestId('experiments-table').getByText('team-study').click();
         const name = await page.getByTestId('experiment-name').innerText();
         const opened = page.url();
         await page.goto(${JSON.stringify(`${web}/experiments/${done.id}/runs`)});
         await page.getByTestId('run-row').first().waitFor();
         const rows = await page.getByTestId('run-row').count();
         process.stdout.write(JSON.stringify({ anonymousPage, name, opened, rows }));
       } finally { await browser.close(); }`,
    );
    expect(page.anonymousPage).toContain('Sign in with an API token to see this.');
    expect(page.name).toBe('team-study');
    expect(page.rows).toBe(3);
    expect(page.opened).toContain(`${web}/experiments/${done.id}`);
  },
  300_000,
);
