import { type Config, type Logger, onShutdown } from '@kdlens/core';
import { openWarehouse } from '@kdlens/core/db';
import { queueSettings } from '@kdlens/core/queue';
import { startWorkers, type Workers } from '../worker/index.ts';
import { createStudyRunUnit } from './study-run-unit.ts';

/**
 * One worker process: joins the warehouse and trains queued study units, one at a time, until
 * the process is asked to stop (Ctrl-C, SIGTERM); its running unit then goes back to the queue
 * and the exit hooks end the process. `kdlens worker` and the trainer's own entry point
 * (bin/kdlens-worker.js, which local worker processes run) both come here.
 */
export async function runStudyWorker(opts: { config: Config; log: Logger }): Promise<never> {
  const { config, log } = opts;
  const warehouse = await openWarehouse({ config, log });
  const { timings, reconcileSeconds } = queueSettings(config);
  let workers: Workers | undefined;
  onShutdown(async () => {
    await workers?.stop();
    await warehouse.close();
  });
  workers = await startWorkers({
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
  process.stdout.write(`worker ${workers.name} waiting for units\n`);
  // Keeps the process alive; shutdown is the exit hooks' job (onShutdown above).
  return new Promise<never>(() => {
    setInterval(() => {}, 1 << 30);
  });
}
