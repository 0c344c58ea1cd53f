import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@kdlens/core';
import { listRunsOfExperiments, openWarehouse, type Warehouse } from '@kdlens/core/db';
import { sql } from 'drizzle-orm';
import { afterAll, expect, it } from 'vitest';
import { cliEnv, kdlensBin } from '../support/cli.ts';

const log = createLogger('warn', 'interrupt-test');
let home = '';
afterAll(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

// Ctrl-C in a terminal signals the whole foreground process group: `kdlens run --local`, its
// worker processes and (before it had a group of its own) the embedded PostgreSQL, which then
// shut down under the workers, leaving their units `running` until they went stale (a minute).
it('Ctrl-C on `kdlens run --local` with the embedded server puts the running unit back in the queue at once', async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'kdlens-interrupt-'));
  const spec = path.join(home, 'long.yaml');
  await writeFile(
    spec,
    `name: interrupted
dataset:
  name: trifeature
  imageSize: 16
  generator: { trainCount: 1024, testCount: 64 }
teacher: { architecture: mlp, epochs: 200, batchSize: 32, learningRate: 0.003, options: { hidden: [64] } }
student: { architecture: mlp, epochs: 1, batchSize: 32, learningRate: 0.003, options: { hidden: [8] } }
kd: { temperatures: [4] }
seeds: 1
backend: wasm
`,
  );
  // Staleness far beyond the test's wait: only the worker's own cleanup can requeue the unit.
  const env = cliEnv({
    KDLENS_HOME: home,
    KDLENS_HEARTBEAT_SECONDS: '1',
    KDLENS_STALE_SECONDS: '600',
  });
  // detached: a process group of its own, as a shell gives a foreground job.
  const child = spawn(process.execPath, [kdlensBin, 'run', spec, '--local', '--concurrency', '1'], {
    env,
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((r) =>
    child.on('close', (code, signal) => r(code ?? (signal ? -1 : null))),
  );
  const config = { databaseUrl: undefined, home, embeddedPgPort: 0 };
  let joined: Warehouse | undefined;
  try {
    await until('the study to be queued', async () =>
      /interrupted: 3 new/.test(output) ? true : undefined,
    );
    // Joins the server the command runs (not its owner: closing it leaves the server up).
    joined = await openWarehouse({ config, log, migrate: false });
    const db = joined.db;
    const running = await until('the teacher to be training', async () => {
      const r = await db.execute<{ id: string; progress: number }>(
        sql`select id, progress from runs where status = 'running' and progress > 0`,
      );
      return r.rows[0];
    });
    expect(joined.embedded?.owned).toBe(false);
    await joined.close();
    joined = undefined;

    const pidFile = path.join(home, 'postgres', 'postmaster.pid');
    expect(existsSync(pidFile)).toBe(true);
    process.kill(-(child.pid ?? 0), 'SIGINT');
    expect(await exited, output).toBe(130);
    // The command stopped the server it started, after its workers' cleanup.
    expect(existsSync(pidFile)).toBe(false);

    const after = await openWarehouse({ config, log });
    try {
      const [experiment] = (await after.db.execute<{ id: string }>(sql`select id from experiments`))
        .rows;
      const runs = await listRunsOfExperiments(after.db, [experiment?.id ?? '']);
      expect(runs.filter((r) => r.status === 'running')).toEqual([]);
      expect(runs.find((r) => r.id === running.id)).toMatchObject({
        status: 'queued',
        attempt: 1,
        worker: null,
        error: 'its worker shut down; it resumes on another',
      });
    } finally {
      await after.close();
    }
  } finally {
    await joined?.close();
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
      await exited;
    }
  }
}, 180_000);
