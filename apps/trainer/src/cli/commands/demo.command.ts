import type { BackendName } from '@kdlens/core';
import type { Command } from 'commander';
import { withWarehouse } from '../cli-context.ts';
import { backendOption } from '../options.ts';
import { trainDemo } from '../train-demo.ts';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('train the demo study into the warehouse (skipped when it is already there)')
    .addOption(backendOption())
    .action((options: { backend?: BackendName }) =>
      withWarehouse(async (w, ctx) => {
        const result = await trainDemo(w.db, ctx, { backend: options.backend });
        process.stdout.write(
          result.trained === 0
            ? 'demo experiment already in the warehouse\n'
            : `demo experiment trained: ${result.trained} runs\n`,
        );
      }),
    );
}
