/**
 * Units per hour of the demo study (presets/demo.yaml: 15 units) with 1, 2 and 4 `kdlens worker`
 * processes sharing one warehouse, each configuration in a fresh database, measured in the same
 * run so the ratios to 1 worker mean something on a noisy machine. Expect near-linear gains
 * until the cores run out (wasm trains on one thread per process). Each line carries the load
 * average before and after, since other work on the machine changes everything.
 *
 *   TEST_DATABASE_URL=postgres://… node --import tsx test/bench/workers-throughput.bench.ts
 *
 * Bounded: BENCH_TRAIN_COUNT (default 1000 of the demo preset's 16,000 training images) and at most
 * BENCH_SECONDS (default 150) per configuration; units finished by then are what is counted.
 * BENCH_WORKERS=1,2,4 picks the configurations.
 *
 * BENCH_NETNS=1 (root, iproute2, PostgreSQL 15's server binaries) measures the same across
 * hosts: a db host running its own PostgreSQL and two worker hosts, each a network namespace on a
 * LAN that exists only inside them (support/netns.ts), with the workers spread round-robin over
 * the two worker hosts, each host with its own KDLENS_HOME (data roots). TEST_DATABASE_URL is not
 * used then. The bench runs itself again inside the first worker host, the only place the
 * database is reachable from, with BENCH_WORKER_NAMESPACES naming the worker hosts; the outer run
 * removes the namespaces and the cluster when it ends, is interrupted or overruns its bound.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { loadPreset } from '@kdlens/core';
import { dropDatabase, ensureDatabase, withDatabase } from '@kdlens/core/db';
import pg from 'pg';
import { cliEnv, kdlensBin, runCli } from '../support/cli.ts';
import { createNetwork, killNamespaceProcesses, netnsUnavailable } from '../support/netns.ts';
import { initNamespacePostgres } from '../support/netns-hosts.ts';

const trainCount = Number(process.env.BENCH_TRAIN_COUNT ?? 1000);
const limitMs = Number(process.env.BENCH_SECONDS ?? 150) * 1000;
const counts = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
/** Set inside the first worker host by a BENCH_NETNS=1 run: where the workers go. */
const workerNamespaces = process.env.BENCH_WORKER_NAMESPACES?.split(',').filter(Boolean) ?? [];

if (process.env.BENCH_NETNS === '1' && workerNamespaces.length === 0) {
  process.exitCode = await acrossNamespaces();
} else {
  await measure();
}

/**
 * The BENCH_NETNS=1 outer run: namespaces and a PostgreSQL cluster, this bench again inside the
 * first worker host, then everything removed. Bounded by the configurations' time limits plus
 * setup, and cleaned up on SIGINT/SIGTERM too. Its exit code.
 */
async function acrossNamespaces(): Promise<number> {
  const unavailable = netnsUnavailable();
  if (unavailable) throw new Error(`BENCH_NETNS=1 needs network namespaces: ${unavailable}`);
  const net = createNetwork(['db', 'w1', 'w2']);
  let base = '';
  let inner: ChildProcess | undefined;
  const cleanup = async () => {
    inner?.kill('SIGTERM');
    for (const ns of Object.values(net.hosts)) killNamespaceProcesses(ns);
    net.remove();
    if (base) await rm(base, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void cleanup().finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { db, w1, w2 } = net.hosts;
    if (!db || !w1 || !w2) throw new Error('the network lacks a host');
    base = await mkdtemp(path.join(os.tmpdir(), 'kdlens-workers-netns-'));
    const postgres = initNamespacePostgres(db, base);
    await postgres.start();
    const child = w1.spawn([process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)], {
      ...process.env,
      TEST_DATABASE_URL: postgres.url,
      BENCH_WORKER_NAMESPACES: `${w1.name},${w2.name}`,
    });
    inner = child;
    child.stdout?.pipe(process.stdout);
    child.stderr?.pipe(process.stderr);
    // Each configuration: queueing, at most limitMs of training, stopping and dropping.
    const bound = setTimeout(() => child.kill('SIGKILL'), counts.length * (limitMs + 240_000));
    const code = await new Promise<number | null>((r) => child.once('close', r));
    clearTimeout(bound);
    return code ?? 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

/** Worker `i` of a configuration: on this host, or on worker host i mod 2 (BENCH_NETNS=1). */
function spawnWorker(i: number, env: Record<string, string>): ChildProcess {
  const argv = [process.execPath, kdlensBin, 'worker', '--experiment', 'demo'];
  const host = workerNamespaces[i % Math.max(1, workerNamespaces.length)];
  // `ip netns exec` execs the command, so the pid (and SIGTERM) is the worker's.
  const [command, ...args] = host ? ['ip', 'netns', 'exec', host, ...argv] : argv;
  const homeOf = host ? `${env.KDLENS_HOME}-${host}` : (env.KDLENS_HOME ?? '');
  return spawn(command ?? process.execPath, args, {
    env: cliEnv({ ...env, KDLENS_HOME: homeOf, KDLENS_BACKEND: 'wasm' }),
    stdio: 'ignore',
  });
}

async function measure(): Promise<void> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('set TEST_DATABASE_URL (a server where databases may be created)');

  const demo = await loadPreset('demo');
  const generator = demo.dataset.generator;
  if (!generator) throw new Error('the demo preset has no generator');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-workers-bench-'));
  const specFile = path.join(dir, 'demo-bench.yaml');
  // JSON is YAML: the demo preset with fewer training images, nothing else changed.
  await writeFile(
    specFile,
    JSON.stringify({
      ...demo,
      dataset: { ...demo.dataset, generator: { ...generator, trainCount } },
    }),
  );

  const results: { workers: number; unitsPerHour: number }[] = [];
  try {
    for (const n of counts) {
      const name = `kdlens_bench_workers_${n}_${randomBytes(3).toString('hex')}`;
      await ensureDatabase(adminUrl, name);
      const url = withDatabase(adminUrl, name);
      const env = { DATABASE_URL: url, KDLENS_HOME: path.join(dir, `home-${n}`) };
      const children: ReturnType<typeof spawn>[] = [];
      const client = new pg.Client({ connectionString: url });
      try {
        const queued = await runCli(['run', specFile], env, 120_000);
        if (queued.code !== 0) throw new Error(`kdlens run failed: ${queued.stderr}`);
        await client.connect();
        const loadBefore = os.loadavg();
        const started = Date.now();
        for (let i = 0; i < n; i++) children.push(spawnWorker(i, env));
        let done = 0;
        let total = 0;
        while (Date.now() - started < limitMs) {
          const r = await client.query<{ done: number; total: number }>(
            `select count(*) filter (where status = 'succeeded')::int as done, count(*)::int as total from runs`,
          );
          done = r.rows[0]?.done ?? 0;
          total = r.rows[0]?.total ?? 0;
          if (total > 0 && done === total) break;
          await sleep(500);
        }
        const seconds = (Date.now() - started) / 1000;
        const unitsPerHour = (done / seconds) * 3600;
        results.push({ workers: n, unitsPerHour });
        const one = results.find((x) => x.workers === 1);
        process.stdout.write(
          `${JSON.stringify({
            bench: 'workers-throughput',
            placement: workerNamespaces.length > 0 ? 'netns' : 'loopback',
            workerHosts: Math.min(n, Math.max(1, workerNamespaces.length)),
            workers: n,
            trainCount,
            units: total,
            unitsDone: done,
            seconds: Math.round(seconds * 10) / 10,
            unitsPerHour: Math.round(unitsPerHour),
            ratioToOneWorker: one
              ? Math.round((unitsPerHour / one.unitsPerHour) * 100) / 100
              : null,
            cores: os.availableParallelism(),
            loadBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
            loadAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
          })}\n`,
        );
      } finally {
        for (const c of children) c.kill('SIGTERM');
        await Promise.all(
          children.map((c) =>
            c.exitCode === null ? new Promise((r) => c.once('close', r)) : undefined,
          ),
        );
        await client.end().catch(() => {});
        await dropDatabase(adminUrl, name);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
