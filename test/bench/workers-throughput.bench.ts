/**
 * Units per hour of the demo study (presets/demo.yaml: 15 units) with 1, 2 and 4 `kdlens worker`
 * processes sharing one warehouse, each configuration in a fresh database, measured in the same
 * run so the ratios to 1 worker mean something on a noisy machine. Expect near-linear gains
 * until the cores run out (wasm trains on one thread per process). Each line carries the load
 * average before and after, since other work on the machine changes everything.
 *
 *   TEST_DATABASE_URL=postgres://… node --import tsx test/bench/workers-throughput.bench.ts
 *
 * Bounded: BENCH_TRAIN_COUNT (default 1000 of the preset's 4000 training images) and at most
 * BENCH_SECONDS (default 150) per configuration; units finished by then are what is counted.
 * BENCH_WORKERS=1,2,4 picks the configurations.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadPreset } from '@kdlens/core';
import { dropDatabase, ensureDatabase, withDatabase } from '@kdlens/core/db';
import pg from 'pg';
import { cliEnv, kdlensBin, runCli } from '../support/cli.ts';

const adminUrl = process.env.TEST_DATABASE_URL;
if (!adminUrl) throw new Error('set TEST_DATABASE_URL (a server where databases may be created)');
const trainCount = Number(process.env.BENCH_TRAIN_COUNT ?? 1000);
const limitMs = Number(process.env.BENCH_SECONDS ?? 150) * 1000;
const counts = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);

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
      for (let i = 0; i < n; i++) {
        children.push(
          spawn(process.execPath, [kdlensBin, 'worker', '--experiment', 'demo'], {
            env: cliEnv({ ...env, KDLENS_BACKEND: 'wasm' }),
            stdio: 'ignore',
          }),
        );
      }
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
          workers: n,
          trainCount,
          units: total,
          unitsDone: done,
          seconds: Math.round(seconds * 10) / 10,
          unitsPerHour: Math.round(unitsPerHour),
          ratioToOneWorker: one ? Math.round((unitsPerHour / one.unitsPerHour) * 100) / 100 : null,
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
