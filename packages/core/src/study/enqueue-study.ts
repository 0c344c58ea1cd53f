import type { Warehouse } from '../db/warehouse.ts';
import type { Logger } from '../log/logger.ts';
import { enqueueReady } from '../queue/reconcile.ts';
import { insertMissingRuns } from '../queue/run-claims.ts';
import { openStudyQueue, type QueueTimings } from '../queue/study-queue.ts';
import type { ExperimentSpec } from '../spec/experiment-spec.schema.ts';
import { planUnits } from '../spec/plan-units.ts';
import { recordStudy } from './experiment-spec-store.ts';

export interface EnqueuedStudy {
  experimentId: string;
  /** Runs the warehouse lacked. */
  inserted: number;
  /** Failed or cancelled runs put back in the queue. */
  restarted: number;
  /** Jobs sent now (distilled students are sent once their teacher succeeds). */
  queued: number;
}

export interface EnqueueStudyOptions {
  log: Logger;
  timings: Partial<QueueTimings>;
  /**
   * Once aborted (the API request's deadline passed), the experiment and its runs roll back
   * instead of committing; checked right before the commit. Jobs are sent only after it.
   */
  signal?: AbortSignal;
}

/**
 * Records the spec's experiment and queues what it lacks. The experiment and all its runs are
 * one transaction, so a failure leaves no experiment without runs behind (whose name would then
 * be taken). Idempotent: running a finished spec again inserts and queues nothing.
 */
export async function enqueueStudy(
  warehouse: Warehouse,
  spec: ExperimentSpec,
  opts: EnqueueStudyOptions,
): Promise<EnqueuedStudy> {
  const { signal } = opts;
  signal?.throwIfAborted();
  // Opened first, so a queue that cannot start leaves nothing recorded. Maintenance is the
  // workers' job; this process only sends jobs.
  const queue = await openStudyQueue(warehouse, {
    log: opts.log,
    timings: opts.timings,
    supervise: false,
  });
  try {
    const recorded = await warehouse.db.transaction(async (tx) => {
      const { id } = await recordStudy(tx, spec);
      const runs = await insertMissingRuns(tx, id, planUnits(spec));
      // Throwing here rolls back; returning commits.
      signal?.throwIfAborted();
      return { id, ...runs };
    });
    const sent = await enqueueReady(queue, recorded.id);
    return {
      experimentId: recorded.id,
      inserted: recorded.inserted,
      restarted: recorded.requeued,
      queued: sent.sent,
    };
  } finally {
    await queue.close();
  }
}

export function formatEnqueued(spec: ExperimentSpec, r: EnqueuedStudy): string {
  return `${spec.name}: ${r.inserted} new, ${r.restarted} restarted, ${r.queued} queued (experiment ${r.experimentId})\n`;
}
