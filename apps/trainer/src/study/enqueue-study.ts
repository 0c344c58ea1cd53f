import { type ExperimentSpec, type Logger, planUnits } from '@kdlens/core';
import type { Warehouse } from '@kdlens/core/db';
import { enqueueExperiment, openStudyQueue, type QueueTimings } from '@kdlens/core/queue';
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

/**
 * Records the spec's experiment and queues what it lacks. Idempotent: running a finished spec
 * again inserts and queues nothing.
 */
export async function enqueueStudy(
  warehouse: Warehouse,
  spec: ExperimentSpec,
  opts: { log: Logger; timings: Partial<QueueTimings> },
): Promise<EnqueuedStudy> {
  const { id } = await recordStudy(warehouse.db, spec);
  // Maintenance is the workers' job; this process only sends jobs.
  const queue = await openStudyQueue(warehouse, {
    log: opts.log,
    timings: opts.timings,
    supervise: false,
  });
  try {
    const r = await enqueueExperiment(queue, id, planUnits(spec));
    return { experimentId: id, inserted: r.inserted, restarted: r.restarted, queued: r.sent };
  } finally {
    await queue.close();
  }
}

export function formatEnqueued(spec: ExperimentSpec, r: EnqueuedStudy): string {
  return `${spec.name}: ${r.inserted} new, ${r.restarted} restarted, ${r.queued} queued (experiment ${r.experimentId})\n`;
}
