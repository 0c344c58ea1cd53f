import os from 'node:os';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { cliContext, withWarehouse } from '../cli-context.ts';
import { waitForever } from '../wait-forever.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected an integer >= 1');
  return n;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerStudyCommands(program: Command): void {
  program
    .command('run <spec>')
    .description(
      'queue the units of a study (a spec file or a preset name) that the warehouse lacks; with --local, train them here',
    )
    .option('--local', 'train on this machine with worker processes until the study ends')
    .option(
      '--concurrency <n>',
      'with --local: worker processes, one unit each (default: the number of cores)',
      positiveInt,
    )
    .action((specArg: string, options: { local?: boolean; concurrency?: number }) =>
      withWarehouse(async (w, ctx) => {
        const { KdlensError, planUnits } = await import('@kdlens/core');
        const { resolveSpec } = await import('../../study/resolve-spec.ts');
        const { enqueueStudy, formatEnqueued } = await import('../../study/enqueue-study.ts');
        const { queueSettings } = await import('../../study/queue-settings.ts');
        const { spec } = await resolveSpec(specArg, ctx.config);
        const { timings } = queueSettings(ctx.config);
        const enqueued = await enqueueStudy(w, spec, { log: ctx.log, timings });
        process.stdout.write(formatEnqueued(spec, enqueued));
        if (!options.local) return;

        const { findExperimentById } = await import('@kdlens/core/db');
        const before = await findExperimentById(w.db, enqueued.experimentId);
        let status = before?.status;
        if (status !== 'succeeded') {
          const { onShutdown } = await import('@kdlens/core');
          const { trainStudyLocally } = await import('../../study/train-study-locally.ts');
          const abort = new AbortController();
          const units = planUnits(spec).length;
          const training = trainStudyLocally({
            warehouse: w,
            spec,
            experimentId: enqueued.experimentId,
            concurrency: Math.min(units, options.concurrency ?? os.availableParallelism()),
            log: ctx.log,
            showProgress: ctx.config.showProgress,
            signal: abort.signal,
          });
          // Ctrl-C: the workers put their units back in the queue before the warehouse closes.
          onShutdown(async () => {
            abort.abort();
            await training.catch(() => {});
          });
          // Interrupted: the exit hooks stop everything and end the process with 130.
          status = await training.catch((error: unknown) =>
            abort.signal.aborted ? waitForever() : Promise.reject(error),
          );
        }
        process.stdout.write(`${spec.name}: ${status}\n`);
        if (status !== 'succeeded') {
          throw new KdlensError(
            `the study ended ${status}; the failed runs' errors are on the web page and in \`kdlens run ${specArg}\` again resumes it`,
          );
        }
      }),
    );

  program
    .command('worker')
    .description(
      'train queued study units from the warehouse until Ctrl-C (run one on each machine that should train)',
    )
    .option('--concurrency <n>', 'worker processes on this machine, one unit each', positiveInt, 1)
    .action(async (options: { concurrency: number }) => {
      const ctx = cliContext();
      const { onShutdown } = await import('@kdlens/core');
      const { openWarehouse } = await import('@kdlens/core/db');
      const warehouse = await openWarehouse({ config: ctx.config, log: ctx.log });
      if (options.concurrency > 1) {
        const { startLocalWorkerProcesses } = await import('../../study/local-worker-processes.ts');
        const processes = startLocalWorkerProcesses({
          count: options.concurrency,
          databaseUrl: warehouse.url,
          log: ctx.log,
        });
        onShutdown(async () => {
          await processes.stop();
          await warehouse.close();
        });
        process.stdout.write(
          `${options.concurrency} worker processes (pids ${processes.pids.join(', ')}) waiting for units\n`,
        );
        await processes.allExited;
        await warehouse.close();
        return;
      }
      const { startWorkers } = await import('../../worker/index.ts');
      const { createStudyRunUnit } = await import('../../study/study-run-unit.ts');
      const { queueSettings } = await import('../../study/queue-settings.ts');
      const { timings, reconcileSeconds } = queueSettings(ctx.config);
      let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;
      onShutdown(async () => {
        await workers?.stop();
        await warehouse.close();
      });
      workers = await startWorkers({
        warehouse,
        concurrency: 1,
        runUnit: createStudyRunUnit({
          db: warehouse.db,
          machineBackend: ctx.config.backend,
          dataRoots: ctx.config.dataRoots,
        }),
        log: ctx.log,
        timings,
        reconcileSeconds,
      });
      process.stdout.write(`worker ${workers.name} waiting for units\n`);
      await waitForever();
    });

  program
    .command('cancel <target>')
    .description(
      'cancel a study (experiment name or id) or one run (run id); running units stop within a heartbeat',
    )
    .action((target: string) =>
      withWarehouse(async (w, ctx) => {
        const { KdlensError } = await import('@kdlens/core');
        const { findExperiment, findRunById } = await import('@kdlens/core/db');
        const { openStudyQueue, requestCancel } = await import('@kdlens/core/queue');
        const { queueSettings } = await import('../../study/queue-settings.ts');
        const experiment = await findExperiment(w.db, target);
        let what: { experimentId: string } | { runId: string };
        if (experiment) {
          what = { experimentId: experiment.id };
        } else {
          const run = uuidPattern.test(target) ? await findRunById(w.db, target) : undefined;
          if (!run) {
            throw new KdlensError(
              `no experiment named "${target}" and no experiment or run with that id`,
            );
          }
          what = { runId: target };
        }
        const queue = await openStudyQueue(w, {
          log: ctx.log,
          timings: queueSettings(ctx.config).timings,
          supervise: false,
        });
        try {
          const r = await requestCancel(queue, what);
          process.stdout.write(
            `${experiment ? experiment.name : `run ${target}`}: ${r.cancelled} cancelled, ${r.stopping} stopping\n`,
          );
        } finally {
          await queue.close();
        }
      }),
    );
}
