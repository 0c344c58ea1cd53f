import { type Config, KdlensError, type Logger, onShutdown } from '@kdlens/core';
import { type Database, findExperiment, openWarehouse } from '@kdlens/core/db';
import { queueSettings } from '@kdlens/core/queue';
import { startWorkers, type Workers } from '../worker/index.ts';
import { createStudyRunUnit } from './study-run-unit.ts';

/**
 * One worker process: joins the warehouse and trains queued study units, one at a time, until
 * the process is asked to stop (Ctrl-C, SIGTERM); its running unit then goes back to the queue
 * and the exit hooks end the process. `kdlens worker` and the trainer's own entry point
 * (bin/kdlens-worker.js, which local worker processes run) both come here.
 */
export async function runStudyWorker(opts: {
  config: Config;
  log: Logger;
  /**
   * Experiments (ids or names) whose units alone this worker takes (`kdlens worker
   * --experiment`); default KDLENS_WORKER_EXPERIMENTS, else every experiment.
   */
  experiments?: readonly string[];
}): Promise<never> {
  const { config, log } = opts;
  const warehouse = await openWarehouse({ config, log });
  const { timings, reconcileSeconds } = queueSettings(config);
  let workers: Workers | undefined;
  onShutdown(async () => {
    await workers?.stop();
    await warehouse.close();
  });
  const refs = opts.experiments ?? config.workerExperiments;
  const experimentIds = refs === undefined ? undefined : await experimentIdsOf(warehouse.db, refs);
  workers = await startWorkers({
    ...(experimentIds === undefined ? {} : { experimentIds }),
    warehouse,
    concurrency: 1,
    runUnit: createStudyRunUnit({
      db: warehouse.db,
      machineBackend: config.backend,
      dataRoots: config.dataRoots,
    }),
    log,
    timings,
    reconcileSeconds,
  });
  const of = refs === undefined ? '' : ` of ${refs.join(', ')}`;
  process.stdout.write(`worker ${workers.name} waiting for units${of}\n`);
  // Keeps the process alive; shutdown is the exit hooks' job (onShutdown above).
  return new Promise<never>(() => {
    setInterval(() => {}, 1 << 30);
  });
}

/** Each experiment's id; an unknown one is an error, not a worker that silently waits forever. */
export async function experimentIdsOf(db: Database, refs: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const ref of refs) {
    const experiment = await findExperiment(db, ref);
    if (!experiment) {
      throw new KdlensError(
        `no experiment named "${ref}" and none with that id: \`kdlens run <spec>\` records it first`,
      );
    }
    ids.push(experiment.id);
  }
  return ids;
}
