import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@kdlens/core';
import { experiments, recordExperiment, runs } from '@kdlens/core/db';
import {
  enqueueExperiment,
  enqueueReady,
  openStudyQueue,
  type QueueUnit,
  requestCancel,
  type StudyQueue,
  waitForExperiment,
} from '@kdlens/core/queue';
import { abortKind, type RunUnit, startWorkers, type Workers } from '@kdlens/trainer';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// Short timings so crashes and cancels show within seconds; stale must exceed 2 heartbeats.
const timings = { heartbeatSeconds: 0.5, staleAfterSeconds: 2, maxAttempts: 3 };
const log = createLogger('warn', 'queue-test');

let t: TestDatabase;
let queue: StudyQueue;
const running: Workers[] = [];

beforeAll(async () => {
  t = await createTestDatabase('queue');
  queue = await openStudyQueue(t.warehouse, { log, timings });
});
// Each test's workers run its own runUnit and are kept to its experiment (a worker scope), so
// they never take another test's units; they are stopped after it all the same.
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
});
afterAll(async () => {
  await queue?.close();
  await t?.drop();
});

function workers(experimentId: string, runUnit: RunUnit, concurrency = 1): Promise<Workers> {
  return startWorkers({
    warehouse: t.warehouse,
    experimentIds: [experimentId],
    concurrency,
    runUnit,
    log,
    timings,
    pollSeconds: 0.2,
    reconcileSeconds: 0.5,
    progressIntervalMs: 100,
  }).then((w) => {
    running.push(w);
    return w;
  });
}

/** seeds × (teacher, student, distilled at each temperature), like the spec's planUnits. */
function plan(seeds: number[], temperatures: number[]): QueueUnit[] {
  return seeds.flatMap((seed) => [
    { role: 'teacher' as const, temperature: null, seed, architecture: 'resnet20' },
    { role: 'student' as const, temperature: null, seed, architecture: 'lenet5' },
    ...temperatures.map((temperature) => ({
      role: 'distilled' as const,
      temperature,
      seed,
      architecture: 'lenet5',
    })),
  ]);
}

async function experiment(name: string, units: QueueUnit[]) {
  const { experiment } = await recordExperiment(t.warehouse.db, {
    name,
    dataset: 'toy-shapes',
    spec: {},
    runs: [],
  });
  const enqueued = await enqueueExperiment(queue, experiment.id, units);
  return { id: experiment.id, enqueued };
}

function runsOf(experimentId: string) {
  return t.warehouse.db.select().from(runs).where(eq(runs.experimentId, experimentId));
}

async function jobCount(): Promise<number> {
  const r = await t.warehouse.db.execute<{ n: number }>(
    sql`select count(*)::int as n from pgboss.job where name = 'kdlens-train-unit'`,
  );
  return r.rows[0]?.n ?? -1;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const finished = (id: string) =>
  Promise.race([
    waitForExperiment(t.warehouse.db, id, { pollMs: 100 }),
    sleep(30_000).then(() => {
      throw new Error('experiment did not finish in 30 s');
    }),
  ]);

interface Call {
  runId: string;
  role: string;
  seed: number;
  attempt: number;
  worker: string;
  start: number;
  end: number;
}

describe('job queue', () => {
  it('runs every unit exactly once, distilled students after their teacher, and re-enqueueing adds nothing', async () => {
    const units = plan([0, 1], [2, 4]);
    const { id, enqueued } = await experiment('full', units);
    expect(enqueued).toMatchObject({ inserted: 8, restarted: 0 });
    // Only teachers and students can start before any teacher has finished.
    expect(enqueued.sent).toBe(4);

    const calls: Call[] = [];
    const quick =
      (worker: string): RunUnit =>
      async ({ run }, ctx) => {
        const start = Date.now();
        for (let step = 1; step <= 5; step++) {
          ctx.reportProgress({ fraction: step / 5, epoch: 1, loss: 1 / step, imagesPerSec: 100 });
          await sleep(40);
        }
        calls.push({
          runId: run.id,
          role: run.role,
          seed: run.seed,
          attempt: run.attempt,
          worker,
          start,
          end: Date.now(),
        });
        return {};
      };
    await workers(id, quick('a'));
    await workers(id, quick('b'));
    expect(await finished(id)).toBe('succeeded');

    const rows = await runsOf(id);
    expect(rows).toHaveLength(8);
    expect(rows.every((r) => r.status === 'succeeded' && r.attempt === 1 && r.progress === 1)).toBe(
      true,
    );
    // The last progress report (loss 1/5) reached the row: the trailing write is not lost.
    expect(rows.every((r) => r.loss === 0.2)).toBe(true);
    expect(calls).toHaveLength(8);
    expect(new Set(calls.map((c) => c.runId)).size).toBe(8);
    expect(new Set(calls.map((c) => c.worker))).toEqual(new Set(['a', 'b']));
    for (const d of calls.filter((c) => c.role === 'distilled')) {
      const teacher = calls.find((c) => c.role === 'teacher' && c.seed === d.seed);
      expect(teacher && teacher.end <= d.start).toBe(true);
      const teacherRow = rows.find((r) => r.role === 'teacher' && r.seed === d.seed);
      const row = rows.find((r) => r.id === d.runId);
      expect(
        teacherRow?.finishedAt && row?.startedAt && teacherRow.finishedAt <= row.startedAt,
      ).toBe(true);
    }

    const jobs = await jobCount();
    const again = await enqueueExperiment(queue, id, units);
    expect(again).toEqual({ inserted: 0, restarted: 0, sent: 0, requeued: 0, ended: 0 });
    expect(await runsOf(id)).toHaveLength(8);
    expect(await jobCount()).toBe(jobs);
    await sleep(700);
    expect(calls).toHaveLength(8);
  });

  it('cancels a queued run at once and a running one within a heartbeat', async () => {
    const { id } = await experiment('cancel', plan([0], [2]));
    const seen: string[] = [];
    await workers(id, async ({ run }, ctx) => {
      seen.push(run.role);
      // A unit that only ends when told to, like a long training run checking once per batch.
      await new Promise<void>((_, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      });
      return {};
    });
    const rows = await runsOf(id);
    const teacher = rows.find((r) => r.role === 'teacher');
    const student = rows.find((r) => r.role === 'student');
    if (!teacher || !student) throw new Error('plan lacks a teacher or student');
    await until('the teacher to run', async () => {
      const [r] = await t.warehouse.db.select().from(runs).where(eq(runs.id, teacher.id));
      return r?.status === 'running' ? r : undefined;
    });
    // The first claim makes the experiment running (the web UI shows it as live).
    const [live] = await t.warehouse.db.select().from(experiments).where(eq(experiments.id, id));
    expect(live?.status).toBe('running');

    expect(await requestCancel(queue, { runId: student.id })).toEqual({
      cancelled: 1,
      stopping: 0,
    });
    const [studentRow] = await t.warehouse.db.select().from(runs).where(eq(runs.id, student.id));
    expect(studentRow).toMatchObject({ status: 'cancelled', cancelRequested: true });
    const studentJobs = await t.warehouse.db.execute<{ state: string }>(
      sql`select state::text from pgboss.job where singleton_key = ${student.id}`,
    );
    expect(studentJobs.rows.map((j) => j.state)).toEqual(['cancelled']);

    const asked = Date.now();
    expect(await requestCancel(queue, { experimentId: id })).toEqual({ cancelled: 1, stopping: 1 });
    expect(await finished(id)).toBe('cancelled');
    expect(Date.now() - asked).toBeLessThan(3000);
    const after = await runsOf(id);
    expect(after.map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(after.find((r) => r.role === 'teacher')?.error).toBe('cancelled while running');
    // Only the teacher ever started, and it saw the abort.
    expect(seen).toEqual(['teacher']);
  });

  it('gives the unit of a worker that stopped heartbeating to another, with attempt + 1', async () => {
    const { id } = await experiment('crash', [
      { role: 'teacher', temperature: null, seed: 0, architecture: 'resnet20' },
    ]);
    const aborts: (string | undefined)[] = [];
    const first = await workers(id, async (_job, ctx) => {
      ctx.reportProgress({ fraction: 0.3, epoch: 2 });
      await new Promise<void>((resolve) => {
        ctx.signal.addEventListener('abort', () => resolve());
      });
      aborts.push(abortKind(ctx.signal));
      throw ctx.signal.reason;
    });
    const claimed = await until('the first attempt', async () => {
      const [r] = await runsOf(id);
      return r?.status === 'running' && r.attempt === 1 ? r : undefined;
    });
    await first.abandon();
    expect(aborts).toEqual(['abandoned']);
    // A crash writes nothing: the run still looks like it is running.
    const [left] = await runsOf(id);
    expect(left).toMatchObject({ status: 'running', attempt: 1, worker: claimed.worker });

    const attempts: number[] = [];
    await workers(id, async ({ run }) => {
      attempts.push(run.attempt);
      return {};
    });
    expect(await finished(id)).toBe('succeeded');
    const [done] = await runsOf(id);
    expect(done).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(done?.worker).not.toBe(claimed.worker);
    expect(attempts).toEqual([2]);
  });

  it('stops a worker that lost its run to a newer attempt (its writes are fenced off)', async () => {
    const { id } = await experiment('fenced', [
      { role: 'teacher', temperature: null, seed: 0, architecture: 'resnet20' },
    ]);
    let reaped = false;
    const kinds: (string | undefined)[] = [];
    // This worker beats rarely, so its run looks stale to the test's queue (stale after 2 s)
    // while the worker itself is alive: the case of a worker wedged in a long step.
    const slow = await startWorkers({
      warehouse: t.warehouse,
      experimentIds: [id],
      concurrency: 1,
      log,
      timings: { heartbeatSeconds: 30, staleAfterSeconds: 60, maxAttempts: 3 },
      pollSeconds: 0.2,
      reconcileSeconds: 60,
      progressIntervalMs: 50,
      runUnit: async ({ run }, ctx) => {
        if (run.attempt > 1) return {};
        await until('the run to be reaped', async () => (reaped ? true : undefined));
        while (!ctx.signal.aborted) {
          ctx.reportProgress({ fraction: 0.5, epoch: 1 });
          await sleep(20);
        }
        kinds.push(abortKind(ctx.signal));
        return {};
      },
    });
    running.push(slow);
    await until('the first attempt', async () => {
      const [r] = await runsOf(id);
      return r?.status === 'running' ? r : undefined;
    });
    await sleep(2300);
    expect(await enqueueReady(queue, id)).toMatchObject({ requeued: 1, sent: 1 });
    reaped = true;
    expect(await finished(id)).toBe('succeeded');
    expect(kinds).toEqual(['lost']);
    const [done] = await runsOf(id);
    expect(done).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it('puts a unit back in the queue when its worker shuts down, for another to resume', async () => {
    const { id } = await experiment('shutdown', [
      { role: 'teacher', temperature: null, seed: 0, architecture: 'resnet20' },
    ]);
    const kinds: (string | undefined)[] = [];
    const first = await workers(id, async (_job, ctx) => {
      await new Promise<void>((_, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      }).catch((error: unknown) => {
        kinds.push(abortKind(ctx.signal));
        throw error;
      });
      return {};
    });
    await until('the first attempt', async () => {
      const [r] = await runsOf(id);
      return r?.status === 'running' ? r : undefined;
    });
    await first.stop();
    expect(kinds).toEqual(['shutdown']);
    const [back] = await runsOf(id);
    expect(back).toMatchObject({ status: 'queued', attempt: 1, worker: null });

    await workers(id, async () => ({}));
    expect(await finished(id)).toBe('succeeded');
    expect((await runsOf(id))[0]).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it('puts back, without starting it, a unit whose claim was in flight when its worker stopped', async () => {
    const { id } = await experiment('stop-mid-claim', [
      { role: 'teacher', temperature: null, seed: 0, architecture: 'resnet20' },
    ]);
    const [run] = await runsOf(id);
    if (!run) throw new Error('the plan has no run');
    // Hold the run's row so the worker's claim waits on it, then stop the worker mid-claim.
    const holder = await t.warehouse.db.$client.connect();
    let started = 0;
    try {
      await holder.query('begin');
      await holder.query('select id from runs where id = $1 for update', [run.id]);
      const worker = await workers(id, async () => {
        started++;
        return {};
      });
      await until('the claim to wait on the row lock', async () => {
        const waiting = await t.warehouse.db.$client.query(
          "select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%update runs r set%'",
        );
        return waiting.rowCount ? true : undefined;
      });
      const stopped = worker.stop();
      await holder.query('rollback');
      await stopped;
    } finally {
      await holder.query('rollback').catch(() => undefined);
      holder.release();
    }
    expect(started).toBe(0);
    // Its attempt is given back: stopping idle workers does not use up a unit's retries.
    const [back] = await runsOf(id);
    expect(back).toMatchObject({ status: 'queued', attempt: 0, worker: null });
    await workers(id, async () => ({}));
    expect(await finished(id)).toBe('succeeded');
    expect((await runsOf(id))[0]).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('fails a unit whose worker died on each of maxAttempts attempts', async () => {
    const { id } = await experiment('doomed', [
      { role: 'teacher', temperature: null, seed: 0, architecture: 'resnet20' },
    ]);
    const crashing = await workers(
      id,
      (_job, ctx) =>
        new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({}))),
    );
    await until('the first attempt', async () => {
      const [r] = await runsOf(id);
      return r?.status === 'running' ? r : undefined;
    });
    await crashing.abandon();
    await sleep(2300);
    const strict = await openStudyQueue(t.warehouse, {
      log,
      timings: { ...timings, maxAttempts: 1 },
    });
    try {
      expect(await enqueueReady(strict, id)).toMatchObject({ requeued: 0, ended: 1, sent: 0 });
    } finally {
      await strict.close();
    }
    const [row] = await runsOf(id);
    expect(row?.status).toBe('failed');
    expect(row?.error).toMatch(
      /^its worker \(.+#[0-9a-f]{6}\) stopped heartbeating on each of 1 attempts$/,
    );
  });

  it('keeps a failure’s error text, settles the students waiting on it, and resumes on re-enqueue', async () => {
    const units = plan([0], [2]);
    const { id } = await experiment('fail', units);
    let broken = true;
    await workers(id, async ({ run }) => {
      if (broken && run.role === 'teacher') throw new Error('loss became NaN at epoch 3');
      return {};
    });
    expect(await finished(id)).toBe('failed');
    const rows = await runsOf(id);
    const byRole = (role: string) => rows.find((r) => r.role === role);
    expect(byRole('teacher')).toMatchObject({
      status: 'failed',
      error: 'loss became NaN at epoch 3',
    });
    expect(byRole('distilled')).toMatchObject({
      status: 'failed',
      error: 'its teacher (seed 0) failed; run the spec again to retry',
    });
    expect(byRole('student')?.status).toBe('succeeded');
    const teacherJob = await t.warehouse.db.execute<{ state: string; output: { message: string } }>(
      sql`select state::text, output from pgboss.job where singleton_key = ${byRole('teacher')?.id ?? ''}`,
    );
    expect(teacherJob.rows).toMatchObject([
      { state: 'failed', output: { message: 'loss became NaN at epoch 3' } },
    ]);

    broken = false;
    const again = await enqueueExperiment(queue, id, units);
    expect(again).toMatchObject({ inserted: 0, restarted: 2, sent: 1 });
    expect(await finished(id)).toBe('succeeded');
    const resumed = await runsOf(id);
    expect(resumed.every((r) => r.status === 'succeeded' && r.error === null)).toBe(true);
  });
  it('sends again, on the periodic pass, the job of a unit lost before its first claim', async () => {
    const { id } = await experiment('lost-job', [
      { role: 'teacher', temperature: null, seed: 0, architecture: 'resnet20' },
    ]);
    const [run] = await runsOf(id);
    if (!run) throw new Error('no run');
    // The job vanished before any worker claimed the run (its sender crashed after the commit,
    // or a worker died between fetch and claim): the experiment was never claimed.
    await t.warehouse.db.execute(
      sql`delete from pgboss.job where name = 'kdlens-train-unit' and singleton_key = ${run.id}`,
    );
    expect(run).toMatchObject({ status: 'queued', attempt: 0 });
    // The global pass (every worker's periodic reconcile) covers never-claimed experiments too.
    const pass = await enqueueReady(queue);
    expect(pass.sent).toBeGreaterThanOrEqual(1);
    const jobs = await t.warehouse.db.execute<{ state: string }>(
      sql`select state::text from pgboss.job where singleton_key = ${run.id}`,
    );
    expect(jobs.rows.map((j) => j.state)).toEqual(['created']);
    // And a lost job found by a worker's own pass, with no one reconciling by hand.
    await t.warehouse.db.execute(
      sql`delete from pgboss.job where name = 'kdlens-train-unit' and singleton_key = ${run.id}`,
    );
    const trained: string[] = [];
    await workers(id, async ({ run: r }) => {
      trained.push(r.id);
      return {};
    });
    expect(await finished(id)).toBe('succeeded');
    expect(trained).toEqual([run.id]);
  });

  it("keeps a scoped worker to its experiments: another experiment's ready units stay queued", async () => {
    const mine = await experiment('scoped-mine', plan([0], [2]));
    const other = await experiment('scoped-other', plan([0], [2]));
    const seen: string[] = [];
    await workers(mine.id, async ({ run }) => {
      seen.push(run.experimentId);
      return {};
    });
    expect(await finished(mine.id)).toBe('succeeded');
    // Several reconcile and poll rounds of the scoped worker (0.5 s and 0.2 s).
    await sleep(1200);
    expect(new Set(seen)).toEqual(new Set([mine.id]));
    expect(seen).toHaveLength(3);
    const others = await runsOf(other.id);
    expect(others.map((r) => [r.status, r.attempt])).toEqual([
      ['queued', 0],
      ['queued', 0],
      ['queued', 0],
    ]);
    // Its teacher's and student's jobs still wait for a worker of theirs.
    const waiting = await t.warehouse.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pgboss.job where name = 'kdlens-train-unit'
          and data->>'experimentId' = ${other.id} and state = 'created'`,
    );
    expect(waiting.rows[0]?.n).toBe(2);
    await requestCancel(queue, { experimentId: other.id });
  });
});
