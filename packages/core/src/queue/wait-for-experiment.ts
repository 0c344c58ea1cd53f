import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../db/database.ts';
import { findExperimentById } from '../db/queries/experiments.ts';
import type { ExperimentStatus } from '../domain/run.ts';

const finished: readonly ExperimentStatus[] = ['succeeded', 'failed', 'cancelled'];

/**
 * Resolves with the experiment's final status once every run has ended (`kdlens run --local`
 * waits on this before stopping its workers). Polls, because the runs end in other processes.
 */
export async function waitForExperiment(
  db: Database,
  experimentId: string,
  opts: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<ExperimentStatus> {
  for (;;) {
    opts.signal?.throwIfAborted();
    const experiment = await findExperimentById(db, experimentId);
    if (!experiment) throw new Error(`experiment ${experimentId} does not exist`);
    if (finished.includes(experiment.status)) return experiment.status;
    await sleep(opts.pollMs ?? 1000, undefined, { signal: opts.signal });
  }
}
