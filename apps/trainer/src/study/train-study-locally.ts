import type { ExperimentSpec, ExperimentStatus, Logger } from '@kdlens/core';
import { KdlensError } from '@kdlens/core';
import type { Warehouse } from '@kdlens/core/db';
import { startLocalWorkerProcesses } from './local-worker-processes.ts';
import type { ProgressReporter } from './progress-reporter.ts';
import { watchStudy } from './watch-study.ts';

export interface TrainStudyLocallyOptions {
  warehouse: Warehouse;
  spec: ExperimentSpec;
  experimentId: string;
  /** Worker processes, one unit each. */
  concurrency: number;
  log: Logger;
  /** Shows the units' progress; stopped when the training ends. */
  progress: ProgressReporter;
  /** Extra environment for the worker processes (e.g. KDLENS_BACKEND). */
  workerEnv?: Record<string, string>;
  /** Stops watching; the workers are stopped and their units go back to the queue. */
  signal?: AbortSignal;
}

/**
 * Trains a queued study on this machine: starts `concurrency` worker processes, shows the units'
 * progress until the experiment ends, then stops the workers. Workers elsewhere may take units
 * of the same study meanwhile; the queue keeps every unit to one worker.
 */
export async function trainStudyLocally(opts: TrainStudyLocallyOptions): Promise<ExperimentStatus> {
  const { progress } = opts;
  const workers = startLocalWorkerProcesses({
    count: opts.concurrency,
    databaseUrl: opts.warehouse.url,
    log: opts.log,
    // Bars and worker log lines would overwrite each other on one terminal.
    env: { ...(progress.drawsOnTerminal ? { LOG_LEVEL: 'warn' } : {}), ...opts.workerEnv },
  });
  const stopWatching = new AbortController();
  const onAbort = () => stopWatching.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const gone = workers.allExited.then((): never => {
      throw new KdlensError('every local worker process stopped before the study finished');
    });
    // The race below handles the rejection; this keeps it from counting as unhandled after.
    gone.catch(() => {});
    return await Promise.race([
      watchStudy({
        db: opts.warehouse.db,
        experimentId: opts.experimentId,
        spec: opts.spec,
        progress,
        log: opts.log,
        signal: stopWatching.signal,
      }),
      gone,
    ]);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    stopWatching.abort();
    progress.stop();
    await workers.stop();
  }
}
