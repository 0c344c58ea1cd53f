import type { BackendName } from '@kdlens/core';
import type { Command } from 'commander';
import { withWarehouse } from '../cli-context.ts';
import { backendOption } from '../options.ts';
import { waitForever } from '../wait-forever.ts';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'train the demo study (presets/demo.yaml) through the job queue with one worker per core; skipped when it is already there; a study of that name recorded from another spec is kept, and the command fails saying how to replace it',
    )
    .addOption(backendOption())
    .option('--spec <file|preset>', 'train this spec instead of the demo preset')
    .action((options: { backend?: BackendName; spec?: string }) =>
      withWarehouse(async (w, ctx) => {
        const { KdlensError, onShutdown } = await import('@kdlens/core');
        const { otherSpecAdvice, trainDemoStudy } = await import(
          '@kdlens/trainer/train-demo-study'
        );
        const { createProgressReporter } = await import('../progress.ts');
        const abort = new AbortController();
        const training = trainDemoStudy({
          warehouse: w,
          config: ctx.config,
          log: ctx.log,
          progress: createProgressReporter({ enabled: ctx.config.showProgress, log: ctx.log }),
          signal: abort.signal,
          ...(options.spec === undefined ? {} : { spec: options.spec }),
          ...(options.backend === undefined ? {} : { backend: options.backend }),
        });
        // Ctrl-C: the workers put their units back in the queue before the warehouse closes.
        onShutdown(async () => {
          abort.abort();
          await training.catch(() => {});
        });
        const result = await training.catch((error: unknown) =>
          abort.signal.aborted ? waitForever() : Promise.reject(error),
        );
        // Nothing trained that was asked for: an error, so scripts do not carry on.
        if (result.otherSpec) throw new KdlensError(otherSpecAdvice(result.name));
        process.stdout.write(
          result.trained === 0
            ? `${result.name} experiment already in the warehouse\n`
            : `${result.name} experiment trained: ${result.trained} runs\n`,
        );
      }),
    );
}
