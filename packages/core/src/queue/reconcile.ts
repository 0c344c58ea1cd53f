import {
  insertMissingRuns,
  type QueueUnit,
  type ReconcileScope,
  readyRuns,
  reapStaleRuns,
  refreshExperimentStatus,
  settleOrphanedStudents,
} from './run-claims.ts';
import type { StudyQueue } from './study-queue.ts';
import { type TrainUnitPayload, trainUnitJob, trainUnitPriority } from './train-unit.job.ts';

export interface ReconcileResult {
  /** Jobs sent now (a run that already had a queued job is not sent again). */
  sent: number;
  /** Running runs whose worker had stopped heartbeating and that went back to the queue. */
  requeued: number;
  /** Runs ended by reconciliation: stale past maxAttempts, or orphaned by their teacher. */
  ended: number;
}

/**
 * Brings the queue in line with the runs table; safe to call any time, from any process, any
 * number of times. In order: requeue (or end) runs whose worker stopped heartbeating; end
 * distilled runs whose teacher failed or was cancelled; send a job, keyed by run id, for each
 * queued run that may start (a distilled one only once its teacher succeeded); update the
 * experiments' statuses. Without `experimentId` it covers every experiment the queue has run.
 */
export async function enqueueReady(
  queue: StudyQueue,
  experimentId?: string,
): Promise<ReconcileResult> {
  const db = queue.warehouse.db;
  const scope: ReconcileScope = experimentId === undefined ? 'all' : { experimentId };
  const touched = new Set<string>(experimentId === undefined ? [] : [experimentId]);

  const reaped = await reapStaleRuns(db, scope, queue.timings);
  const orphaned = await settleOrphanedStudents(db, scope);
  for (const r of [...reaped, ...orphaned]) touched.add(r.experimentId);

  let sent = 0;
  for (const run of await readyRuns(db, scope, queue.timings)) {
    const payload: TrainUnitPayload = { runId: run.id, experimentId: run.experimentId };
    // singletonKey = run id: with the queue's 'short' policy pg-boss keeps at most one queued
    // job per run, so repeated reconciliation never piles up jobs; send returns null then.
    const id = await queue.boss.send(trainUnitJob.name, payload, {
      singletonKey: run.id,
      priority: trainUnitPriority(run.role),
    });
    if (id !== null) {
      sent++;
      touched.add(run.experimentId);
    }
  }
  await refreshExperimentStatus(db, [...touched]);
  const requeued = reaped.filter((r) => r.status === 'queued').length;
  return { sent, requeued, ended: reaped.length - requeued + orphaned.length };
}

/**
 * Enqueues an experiment's plan: inserts the runs it lacks, puts failed and cancelled runs back
 * in the queue, and sends jobs for the units that can start now. Idempotent: a second call with
 * the same units inserts nothing, and a run that is queued, running or done is never duplicated.
 * The experiment row must exist (recordExperiment creates it).
 */
export async function enqueueExperiment(
  queue: StudyQueue,
  experimentId: string,
  units: readonly QueueUnit[],
): Promise<ReconcileResult & { inserted: number; restarted: number }> {
  const { inserted, requeued: restarted } = await insertMissingRuns(
    queue.warehouse.db,
    experimentId,
    units,
  );
  const result = await enqueueReady(queue, experimentId);
  return { ...result, inserted, restarted };
}
