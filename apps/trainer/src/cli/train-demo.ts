import type { BackendName } from '@kdlens/core';
import type { Database } from '@kdlens/core/db';
import type { RunDemoResult } from '../demo/run-demo.ts';
import type { CliContext } from './cli-context.ts';
import { createProgressReporter } from './progress.ts';

/** Trains the missing runs of the demo study with a progress display (shared by `demo` and `start`). */
export async function trainDemo(
  db: Database,
  ctx: CliContext,
  opts: { backend?: BackendName; signal?: AbortSignal } = {},
): Promise<RunDemoResult> {
  const { runDemo } = await import('../demo/run-demo.ts');
  const progress = createProgressReporter({ enabled: ctx.config.showProgress, log: ctx.log });
  try {
    return await runDemo({
      db,
      log: ctx.log,
      backend: opts.backend ?? ctx.config.backend,
      progress,
      signal: opts.signal,
    });
  } finally {
    progress.stop();
  }
}
