import { sql } from 'drizzle-orm';
import { PG_BOSS_SCHEMA } from './queue-names.ts';
import type { StudyQueue } from './study-queue.ts';
import { trainUnitJob } from './train-unit.job.ts';

/**
 * Which units a worker takes: any experiment's, or only those of the listed experiments (a worker
 * kept for one study, or a test's workers, which must not take the units of another test).
 */
export type WorkerScope = 'all' | { experimentIds: readonly string[] };

/** A train-unit job a worker fetched; `data` is parsed by the handler. */
export interface FetchedJob {
  id: string;
  data: unknown;
}

/**
 * Takes the next train-unit job in scope (teachers first, then oldest), marking it active as
 * pg-boss's own fetch does. pg-boss fetches by queue name only, so a scoped worker runs the same
 * statement with the job's experiment in the WHERE clause; the job table is partitioned by queue
 * name, and `data` holds the validated TrainUnitPayload.
 */
export async function fetchTrainUnitJob(
  queue: StudyQueue,
  scope: WorkerScope,
): Promise<FetchedJob | undefined> {
  if (scope === 'all') {
    const [job] = await queue.boss.fetch<unknown>(trainUnitJob.name, { batchSize: 1 });
    return job;
  }
  if (scope.experimentIds.length === 0) return undefined;
  const ids = sql.join(
    scope.experimentIds.map((id) => sql`${id}`),
    sql`, `,
  );
  const job = sql.identifier(PG_BOSS_SCHEMA);
  // The same update as pg-boss 10's fetchNextJob for a 'short' queue (no singleton grouping).
  const result = await queue.warehouse.db.execute<{ id: string; data: unknown }>(sql`
    with next as (
      select id from ${job}.job
      where name = ${trainUnitJob.name} and state < 'active' and start_after < now()
        and data->>'experimentId' in (${ids})
      order by priority desc, created_on, id
      limit 1
      for update skip locked
    )
    update ${job}.job j set state = 'active', started_on = now(),
      retry_count = case when j.started_on is not null then j.retry_count + 1 else j.retry_count end
    from next
    where j.name = ${trainUnitJob.name} and j.id = next.id
    returning j.id, j.data`);
  return result.rows[0];
}
