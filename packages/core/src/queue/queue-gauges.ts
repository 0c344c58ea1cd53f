import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { PG_BOSS_SCHEMA } from './queue-names.ts';
import { trainUnitJob } from './train-unit.job.ts';

/** pg-boss 10's job states (its `job_state` enum), in its order. */
export const jobStates = [
  'created',
  'retry',
  'active',
  'completed',
  'cancelled',
  'failed',
] as const;
export type JobState = (typeof jobStates)[number];

/** What the study queue holds and who works on it, now: the API's /metrics reads it per scrape. */
export interface QueueGauges {
  /** Train-unit jobs by pg-boss state; every state is present (0 when none). */
  jobs: Record<JobState, number>;
  /** Runs with status `running`: units a worker has claimed. */
  runningUnits: number;
  /** Distinct workers (runs.worker) holding a running unit. */
  busyWorkers: number;
  /**
   * Over the workers holding a running unit, the largest age of a worker's newest heartbeat
   * (seconds); 0 when none. Past the queue's stale limit (KDLENS_STALE_SECONDS) that worker is
   * taken for dead and its unit is requeued.
   */
  oldestHeartbeatAgeSeconds: number;
}

const jobCountRow = z.object({ state: z.enum(jobStates), count: z.coerce.number() });
const runnerRow = z.object({
  running_units: z.coerce.number(),
  busy_workers: z.coerce.number(),
  oldest_heartbeat_age: z.coerce.number().nullable(),
});

/**
 * Reads the queue's gauges in two statements. Before the first `kdlens worker` or `kdlens run`
 * pg-boss has not created its schema yet: then there are no jobs, not an error.
 */
export async function readQueueGauges(db: Database): Promise<QueueGauges> {
  const jobs = Object.fromEntries(jobStates.map((s) => [s, 0])) as Record<JobState, number>;
  const exists = await db.execute<{ present: boolean }>(
    sql`select to_regclass(${`${PG_BOSS_SCHEMA}.job`}) is not null as present`,
  );
  if (exists.rows[0]?.present === true) {
    const counts = await db.execute(sql`
      select state::text as state, count(*) as count
      from ${sql.identifier(PG_BOSS_SCHEMA)}.job
      where name = ${trainUnitJob.name}
      group by state`);
    for (const row of counts.rows) {
      const { state, count } = jobCountRow.parse(row);
      jobs[state] = count;
    }
  }
  // A worker's newest heartbeat is the max over its running units; the oldest of those is the
  // worker closest to being taken for dead.
  const runners = await db.execute(sql`
    select
      (select count(*) from runs where status = 'running') as running_units,
      count(*) as busy_workers,
      max(extract(epoch from now() - newest)) as oldest_heartbeat_age
    from (
      select worker, max(heartbeat_at) as newest from runs
      where status = 'running' and worker is not null
      group by worker
    ) w`);
  const r = runnerRow.parse(runners.rows[0]);
  return {
    jobs,
    runningUnits: r.running_units,
    busyWorkers: r.busy_workers,
    oldestHeartbeatAgeSeconds: Math.max(0, r.oldest_heartbeat_age ?? 0),
  };
}
