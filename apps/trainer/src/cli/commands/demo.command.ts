import type { BackendName } from '@kdlens/core';
import type { Command } from 'commander';
import { withWarehouse } from '../cli-context.ts';
import { backendOption } from '../options.ts';
import { createProgressReporter } from '../progress.ts';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('train the demo study into the warehouse (skipped when it is already there)')
    .addOption(backendOption())
    .action((options: { backend?: BackendName }) =>
      withWarehouse(async (w, ctx) => {
        const { runDemo } = await import('../../demo/run-demo.ts');
        const progress = createProgressReporter({
          interactive: ctx.config.showProgress && process.stderr.isTTY === true,
          log: ctx.log,
        });
        try {
          const result = await runDemo({
            db: w.db,
            log: ctx.log,
            backend: options.backend ?? ctx.config.backend,
            progress,
          });
          progress.stop();
          process.stdout.write(
            result.trained === 0
              ? 'demo experiment already in the warehouse\n'
              : `demo experiment trained: ${result.trained} runs\n`,
          );
        } finally {
          progress.stop();
        }
      }),
    );
}
