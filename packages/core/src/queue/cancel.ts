import { sql } from 'drizzle-orm';
import { PG_BOSS_SCHEMA } from './queue-names.ts';
import { enqueueReady } from './reconcile.ts';
import { type CancelTarget, markCancelRequested } from './run-claims.ts';
import type { StudyQueue } from './study-queue.ts';
import { trainUnitJob } from './train-unit.job.ts';

export interface CancelResult {
  /** Runs that had not started and are now cancelled. */
  cancelled: number;
  /** Running runs asked to stop; each stops within one heartbeat plus one batch. */
  stopping: number;
}

/**
 * Cancels an experiment's unfinished runs, or one run. Queued runs end at once and their jobs
 * are cancelled in pg-boss; running ones get cancel_requested, which their worker sees at its
 * next heartbeat, aborting the unit's AbortSignal. Distilled runs left waiting on a cancelled
 * teacher are cancelled too. Running the spec again resumes everything cancelled here.
 */
export async function requestCancel(
  queue: StudyQueue,
  target: CancelTarget,
): Promise<CancelResult> {
  const marked = await markCancelRequested(queue.warehouse.db, target);
  const cancelledIds = marked.filter((r) => r.status === 'cancelled').map((r) => r.id);
  if (cancelledIds.length > 0) {
    // pg-boss 10 cannot look jobs up by singletonKey, so we read its job table. A job missed
    // here is harmless: its claim fails on the cancelled row and the worker drops it.
    const keys = sql.join(
      cancelledIds.map((id) => sql`${id}`),
      sql`, `,
    );
    const jobs = await queue.warehouse.db.execute<{ id: string }>(sql`
      select id from ${sql.identifier(PG_BOSS_SCHEMA)}.job
      where name = ${trainUnitJob.name} and singleton_key in (${keys})
        and state in ('created', 'retry')`);
    if (jobs.rows.length > 0) {
      await queue.boss.cancel(
        trainUnitJob.name,
        jobs.rows.map((j) => j.id),
      );
    }
  }
  const experimentIds = new Set(marked.map((r) => r.experimentId));
  if ('experimentId' in target) experimentIds.add(target.experimentId);
  // Settles students orphaned by a cancelled teacher and refreshes the experiment's status.
  for (const id of experimentIds) await enqueueReady(queue, id);
  return { cancelled: cancelledIds.length, stopping: marked.length - cancelledIds.length };
}
