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
        const { resolveSpec } = await import('@kdlens/core');
        const { enqueueStudy, formatEnqueued } = await import('@kdlens/core/study');
        const { queueSettings } = await import('@kdlens/core/queue');
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
          const { trainStudyLocally } = await import('@kdlens/trainer/train-study-locally');
          const { createProgressReporter } = await import('../progress.ts');
          const abort = new AbortController();
          const units = planUnits(spec).length;
          const training = trainStudyLocally({
            warehouse: w,
            spec,
            experimentId: enqueued.experimentId,
            concurrency: Math.min(units, options.concurrency ?? os.availableParallelism()),
            log: ctx.log,
            progress: createProgressReporter({ enabled: ctx.config.showProgress, log: ctx.log }),
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
    .option(
      '--experiment <id|name>',
      "train only this experiment's units (repeat for several); default: any experiment's",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(async (options: { concurrency: number; experiment?: string[] }) => {
      const ctx = cliContext();
      if (options.concurrency === 1) {
        // The same function as the trainer's own worker entry point (bin/kdlens-worker.js).
        const { runStudyWorker } = await import('@kdlens/trainer');
        return runStudyWorker({
          config: ctx.config,
          log: ctx.log,
          ...(options.experiment === undefined ? {} : { experiments: options.experiment }),
        });
      }
      const { onShutdown } = await import('@kdlens/core');
      const { openWarehouse } = await import('@kdlens/core/db');
      const warehouse = await openWarehouse({ config: ctx.config, log: ctx.log });
      const { startLocalWorkerProcesses } = await import('@kdlens/trainer/local-worker-processes');
      const { experimentIdsOf } = await import('@kdlens/trainer');
      // Ids, resolved once here: a name may hold a comma, the variable's separator.
      const ids =
        options.experiment === undefined
          ? undefined
          : await experimentIdsOf(warehouse.db, options.experiment).catch(async (error) => {
              await warehouse.close();
              throw error;
            });
      const processes = startLocalWorkerProcesses({
        count: options.concurrency,
        databaseUrl: warehouse.url,
        log: ctx.log,
        ...(ids === undefined ? {} : { env: { KDLENS_WORKER_EXPERIMENTS: ids.join(',') } }),
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
        const { queueSettings } = await import('@kdlens/core/queue');
        const experiment = await findExperiment(w.db, target);
        let what: { experimentId: string } | { runId: string };
        if (experiment) {
          what = { experimentId: experiment.id };
        } else {
          const run = await findRunById(w.db, target);
          if (!run) {
            throw new KdlensError(
              `no experiment named "${target}" and no experiment or run with that id`,
            );
          }
          what = { runId: run.id };
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
