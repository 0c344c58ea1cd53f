import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findExperimentByName, listRunsOfExperiments } from '@kdlens/core/db';
import { waitForExperiment } from '@kdlens/core/queue';
import { getStudySummary, loadTestSet } from '@kdlens/core/results';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { runCli, startCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// Real training through the real CLI: a spec small enough that a whole study (2 seeds × teacher,
// student and 2 distilled students) trains in seconds, with short queue timings so a killed
// worker's unit is retried within seconds.
let t: TestDatabase;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase('study');
  dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-study-'));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await t?.drop();
  await rm(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: t.url,
    KDLENS_HEARTBEAT_SECONDS: '0.5',
    KDLENS_STALE_SECONDS: '4',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** A tiny Trifeature study; the teacher trains long enough per epoch to be killed mid-run. */
async function specFile(name: string, teacherEpochs: number, trainCount: number): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `name: ${name}
dataset:
  name: trifeature
  label: shape
  sensitive: [color]
  imageSize: 16
  generator: { seed: 0, trainCount: ${trainCount}, testCount: 64, correlation: 0.8, testCorrelation: 0 }
teacher: { architecture: reference-cnn, epochs: ${teacherEpochs}, batchSize: 32, learningRate: 0.003 }
student: { architecture: mlp, epochs: 1, batchSize: 32, learningRate: 0.003, options: { hidden: [16] } }
kd: { temperatures: [2, 4] }
seeds: 2
evaluation: { individualFairness: { pairs: 200, neighbors: 3 } }
backend: wasm
`,
  );
  return file;
}

async function experimentId(name: string): Promise<string> {
  const e = await findExperimentByName(t.warehouse.db, name);
  if (!e) throw new Error(`no experiment ${name}`);
  return e.id;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function finished(id: string, ms = 90_000) {
  return Promise.race([
    waitForExperiment(t.warehouse.db, id, { pollMs: 200 }),
    sleep(ms).then(() => {
      throw new Error(`experiment did not finish in ${ms / 1000} s`);
    }),
  ]);
}

async function count(table: string, experiment: string): Promise<number> {
  const r = await t.warehouse.db.$client.query<{ n: number }>(
    `select count(*)::int as n from ${table} x join runs r on r.id = x.run_id where r.experiment_id = $1`,
    [experiment],
  );
  return r.rows[0]?.n ?? -1;
}

async function worker() {
  const w = await startCli(['worker'], env(), /waiting for units/);
  if (w.child) children.push(w.child);
  return w;
}

/** The sizes of the experiment's stored teacher logits, one per teacher run. */
async function teacherLogitBytes(id: string): Promise<number[]> {
  const rows = await t.warehouse.db.$client.query<{ n: number }>(
    `select sum(length(c.bytes))::int as n from run_artifact_chunks c join runs r on r.id = c.run_id
      where r.experiment_id = $1 and c.kind = 'teacher-logits' group by r.seed order by r.seed`,
    [id],
  );
  return rows.rows.map((r) => r.n);
}

describe('studies through the job queue', () => {
  it('`kdlens run --local` trains every unit once and stores results; running it again adds nothing', async () => {
    const file = await specFile('study-local', 1, 128);
    const run = await startCli(
      ['run', file, '--local', '--concurrency', '2'],
      env(),
      /^study-local: succeeded$/m,
      100_000,
    );
    // SIGTERM: the CLI stops its worker processes before it exits.
    onTestFinished(() => {
      if (run.child.exitCode === null) run.child.kill('SIGTERM');
    });
    const ended = performance.now();
    expect(await run.exited, run.output()).toBe(0);
    // Once the study has ended nothing is left to wait for: the command exits at once, not when
    // the workers' stop grace (15 s) runs out, as it did while that timer was left pending.
    expect(performance.now() - ended).toBeLessThan(10_000);
    // 2 seeds × (teacher, student, T=2, T=4); distilled students wait for their teacher.
    expect(run.output()).toContain('study-local: 8 new, 0 restarted, 4 queued');

    const id = await experimentId('study-local');
    const runs = await listRunsOfExperiments(t.warehouse.db, [id]);
    expect(runs).toHaveLength(8);
    expect(runs.every((r) => r.status === 'succeeded' && r.attempt === 1)).toBe(true);
    expect(new Set(runs.map((r) => r.backend))).toEqual(new Set(['wasm']));
    expect(
      runs
        .filter((r) => r.role === 'distilled')
        .map((r) => r.temperature)
        .sort(),
    ).toEqual([2, 2, 4, 4]);
    // Each run: its own history, predictions on the experiment's test set, per-class accuracy.
    expect(runs.every((r) => r.history.length === 1)).toBe(true);
    expect(await count('run_predictions', id)).toBe(8);
    expect(await count('run_class_accuracy', id)).toBe(8);
    // Teachers leave their weights for their students.
    const weights = await t.warehouse.db.$client.query<{ role: string }>(
      `select r.role from run_artifacts a join runs r on r.id = a.run_id where r.experiment_id = $1 and a.kind = 'weights'`,
      [id],
    );
    expect(weights.rows.map((w) => w.role)).toEqual(['teacher', 'teacher']);
    // …and their logits on the 128 training images, which the distilled students read instead of
    // running the teacher on every batch; each distilled run says so.
    expect(await teacherLogitBytes(id)).toEqual([128 * 10 * 4, 128 * 10 * 4]);
    expect(runs.map((r) => [r.role, r.teacherOutputs]).sort()).toEqual([
      ['distilled', 'cached'],
      ['distilled', 'cached'],
      ['distilled', 'cached'],
      ['distilled', 'cached'],
      ['student', null],
      ['student', null],
      ['teacher', null],
      ['teacher', null],
    ]);
    const testSet = await loadTestSet(t.warehouse.db, id, { features: true });
    expect(testSet?.examples).toBe(64);
    expect(testSet?.numClasses).toBe(10);
    expect(Object.keys(testSet?.sensitive ?? {})).toEqual(['color']);
    // individualFairness.features = input: the test images, 16 × 16 × 3 values each.
    expect(testSet?.features?.d).toBe(768);
    const summary = await getStudySummary(t.warehouse.db, id);
    expect(summary?.runCount).toBe(8);
    expect(summary?.stale).toBe(false);
    expect(summary?.temperatures).toEqual([2, 4]);

    const again = await runCli(['run', file], env(), 60_000);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('study-local: 0 new, 0 restarted, 0 queued');
    expect(await listRunsOfExperiments(t.warehouse.db, [id])).toHaveLength(8);
  });

  it('distilled students of a teacher without cached logits compute them once and share them', async () => {
    const file = await specFile('study-uncached', 1, 96);
    const first = await runCli(['run', file, '--local', '--concurrency', '2'], env(), 120_000);
    expect(first.code, first.stderr).toBe(0);
    const id = await experimentId('study-uncached');
    const accuracies = async () =>
      Object.fromEntries(
        (await listRunsOfExperiments(t.warehouse.db, [id]))
          .filter((r) => r.role === 'distilled')
          .map((r) => [`${r.seed}/${r.temperature}`, r.summary?.accuracy]),
      );
    const cached = await accuracies();
    // As if the teachers had trained before the cache existed, and their students failed.
    await t.warehouse.db.$client.query(
      `delete from run_artifacts a using runs r where r.id = a.run_id and r.experiment_id = $1 and a.kind = 'teacher-logits'`,
      [id],
    );
    await t.warehouse.db.$client.query(
      `update runs set status = 'failed', teacher_outputs = null where experiment_id = $1 and role = 'distilled'`,
      [id],
    );
    const again = await runCli(['run', file, '--local', '--concurrency', '2'], env(), 120_000);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('study-uncached: 0 new, 4 restarted');
    expect(await teacherLogitBytes(id)).toEqual([96 * 10 * 4, 96 * 10 * 4]);
    const runs = await listRunsOfExperiments(t.warehouse.db, [id]);
    expect(runs.filter((r) => r.role === 'distilled').map((r) => r.teacherOutputs)).toEqual([
      'cached',
      'cached',
      'cached',
      'cached',
    ]);
    // Logits computed by a student are the teacher's own: the students train the same again.
    expect(await accuracies()).toEqual(cached);
  });

  it('an augmented study runs the teacher on every batch and says so', async () => {
    const base = await readFile(await specFile('study-augmented', 1, 96), 'utf8');
    const file = path.join(dir, 'study-augmented.yaml');
    await writeFile(
      file,
      base.replace('  imageSize: 16\n', '  imageSize: 16\n  augment: { padding: 2 }\n'),
    );
    const run = await runCli(['run', file, '--local', '--concurrency', '2'], env(), 120_000);
    expect(run.code, run.stderr).toBe(0);
    const id = await experimentId('study-augmented');
    expect(await teacherLogitBytes(id)).toEqual([]);
    const runs = await listRunsOfExperiments(t.warehouse.db, [id]);
    expect(runs.filter((r) => r.role === 'distilled').map((r) => r.teacherOutputs)).toEqual([
      'live',
      'live',
      'live',
      'live',
    ]);
  });

  it('retries the unit of a killed worker on another, resuming from its checkpoint', async () => {
    // 12 teacher epochs of a fraction of a second each: a window of several epochs between the
    // first checkpoint and the end, however fast the machine (with 4, a teacher on a fast trainer
    // could finish between two probes and none was ever seen mid-run).
    const epochs = 12;
    const file = await specFile('study-crash', epochs, 384);
    const queued = await runCli(['run', file], env(), 60_000);
    expect(queued.stdout).toContain('study-crash: 8 new, 0 restarted, 4 queued');
    const id = await experimentId('study-crash');
    const a = await worker();
    const b = await worker();
    // A failure here must not leave workers to take the next test's units.
    onTestFinished(() => {
      for (const w of [a, b]) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    });

    // A teacher that checkpointed an epoch and is still well short of its last.
    const victim = await until('a teacher with a checkpoint', async () => {
      const r = await t.warehouse.db.$client.query<{ id: string; worker: string }>(
        `select r.id, r.worker from runs r join run_artifacts a on a.run_id = r.id and a.kind = 'checkpoint'
         where r.experiment_id = $1 and r.role = 'teacher' and r.status = 'running' and r.epoch < $2`,
        [id, epochs - 4],
      );
      return r.rows[0];
    });
    const pid = Number(victim.worker.split('#')[0]?.split(':').at(-1));
    const [killed, survivor] = a.child.pid === pid ? [a, b] : [b, a];
    expect(killed.child.pid).toBe(pid);
    killed.child.kill('SIGKILL');

    // The survivor trains the rest alone: both teachers, then six students.
    expect(await finished(id, 180_000)).toBe('succeeded');
    const runs = await listRunsOfExperiments(t.warehouse.db, [id]);
    expect(runs).toHaveLength(8);
    expect(new Set(runs.map((r) => `${r.role}/${r.temperature}/${r.seed}`)).size).toBe(8);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    const retried = runs.find((r) => r.id === victim.id);
    expect(retried?.attempt).toBe(2);
    expect(retried?.history.map((h) => h.epoch)).toEqual(
      Array.from({ length: epochs }, (_, i) => i + 1),
    );
    // The survivor took it over and started from the checkpoint, not from scratch.
    const resumed = survivor
      .output()
      .split('\n')
      .filter((line) => line.includes(victim.id) && line.includes('resumed from its checkpoint'));
    expect(resumed).toHaveLength(1);
    expect(JSON.parse(resumed[0] ?? '{}').resumedFromEpoch).toBeGreaterThanOrEqual(1);
    expect(await count('run_predictions', id)).toBe(8);

    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).not.toBeNull();
  }, 300_000);

  it('`kdlens cancel` stops a running study', async () => {
    // 60 teacher epochs: long enough that the unit seen running is still running when the
    // cancel lands (with 4, a unit at 98 % finished first and the count said 0 stopping); it is
    // cancelled within a heartbeat, so the length costs nothing.
    const file = await specFile('study-cancel', 60, 384);
    await runCli(['run', file], env(), 60_000);
    const id = await experimentId('study-cancel');
    const w = await worker();
    onTestFinished(() => {
      if (w.child.exitCode === null) w.child.kill('SIGKILL');
    });
    await until('a unit to train', async () => {
      const runs = await listRunsOfExperiments(t.warehouse.db, [id]);
      return runs.find((r) => r.status === 'running' && r.progress > 0);
    });
    const cancel = await runCli(['cancel', 'study-cancel'], env(), 60_000);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(/^study-cancel: [1-9]\d* cancelled, 1 stopping$/m);
    expect(await finished(id, 30_000)).toBe('cancelled');
    const runs = await listRunsOfExperiments(t.warehouse.db, [id]);
    expect(runs.every((r) => r.status === 'cancelled')).toBe(true);
    expect(await count('run_predictions', id)).toBe(0);
    w.child.kill('SIGTERM');
    await w.exited;
  });
});
