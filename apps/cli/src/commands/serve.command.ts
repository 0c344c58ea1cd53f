import type { ApiServer } from '@kdlens/api';
import type { Warehouse } from '@kdlens/core/db';
import type { Command } from 'commander';
import { type CliContext, cliContext } from '../cli-context.ts';
import type { WebServer } from '../serve/start-web.ts';
import { waitForever } from '../wait-forever.ts';

/**
 * Opens the warehouse and the API, and registers one shutdown that runs `stopFirst` (for what the
 * caller starts on top), then stops the API and the warehouse. Ctrl-C at any point stops what is up.
 * `anonymousReadByDefault` applies when KDLENS_ALLOW_ANONYMOUS_READ is unset: the demo (`kdlens
 * start`) reads without tokens, a plain `kdlens api` does not.
 */
async function serveApi(
  ctx: CliContext,
  stopFirst: () => Promise<void> = async () => {},
  anonymousReadByDefault = false,
): Promise<{ warehouse: Warehouse; api: ApiServer; stopAll: () => Promise<void> }> {
  const { onShutdown } = await import('@kdlens/core');
  const { openWarehouse } = await import('@kdlens/core/db');
  const { createApiControl, startApiServer } = await import('@kdlens/api');
  const { queueSettings } = await import('@kdlens/core/queue');
  const warehouse = await openWarehouse({ config: ctx.config, log: ctx.log });
  const { timings } = queueSettings(ctx.config);
  let api: ApiServer | undefined;
  const stopAll = async () => {
    await stopFirst();
    await api?.stop();
    await warehouse.close();
  };
  onShutdown(stopAll);
  try {
    api = await startApiServer({
      db: warehouse.db,
      log: ctx.log,
      host: ctx.config.api.host,
      port: ctx.config.api.port,
      allowAnonymousRead: ctx.config.api.allowAnonymousRead ?? anonymousReadByDefault,
      limits: ctx.config.api.limits,
      serverFolders: [...ctx.config.dataRoots, ctx.config.home, ctx.config.workDir],
      // The API launches, cancels and imports through the same functions as `kdlens run`,
      // `kdlens cancel` and `kdlens import`.
      control: createApiControl({ warehouse, log: ctx.log, timings, config: ctx.config }),
    });
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { warehouse, api, stopAll };
}

export function registerServeCommands(program: Command): void {
  program
    .command('api')
    .description('serve the GraphQL API (KDLENS_API_HOST:KDLENS_API_PORT) until Ctrl-C')
    .action(async () => {
      const { api } = await serveApi(cliContext());
      process.stdout.write(`GraphQL API at ${api.url}\n`);
      await waitForever();
    });

  program
    .command('start')
    .description(
      'the demo: warehouse, API and web app; trains the demo study (presets/demo.yaml) through the job queue with one worker per core if it is missing. Ctrl-C stops all',
    )
    .option('--no-demo', 'serve only; do not train the demo study')
    .option('--demo-spec <file|preset>', 'train this spec as the demo instead of the demo preset')
    .action(async (options: { demo: boolean; demoSpec?: string }) => {
      const ctx = cliContext();
      const { startWeb } = await import('../serve/start-web.ts');
      const abort = new AbortController();
      let web: WebServer | undefined;
      let training: Promise<unknown> | undefined;
      const { warehouse, api, stopAll } = await serveApi(
        ctx,
        async () => {
          abort.abort();
          // The demo's workers put their units back in the queue while the warehouse is up.
          await training?.catch(() => {});
          await web?.stop();
        },
        // The demo reads without tokens (its web app sends none) unless KDLENS_ALLOW_ANONYMOUS_READ=0.
        true,
      );
      try {
        web = await startWeb({ port: ctx.config.web.port, apiUrl: api.url, log: ctx.log });
      } catch (error) {
        await stopAll();
        throw error;
      }
      process.stdout.write(`\n  KDLens is up: open ${web.url}   (GraphQL: ${api.url})\n\n`);

      if (options.demo) {
        const { trainDemoStudy } = await import('@kdlens/trainer/train-demo-study');
        const { createProgressReporter } = await import('../progress.ts');
        const run = trainDemoStudy({
          warehouse,
          config: ctx.config,
          log: ctx.log,
          progress: createProgressReporter({ enabled: ctx.config.showProgress, log: ctx.log }),
          signal: abort.signal,
          ...(options.demoSpec === undefined ? {} : { spec: options.demoSpec }),
        });
        training = run;
        try {
          const result = await run;
          if (result.trained > 0) {
            process.stdout.write(`demo study trained (${result.trained} runs): see ${web.url}\n`);
          }
        } catch (error) {
          // Serving goes on: the page shows the failed runs and their errors.
          if (!abort.signal.aborted) ctx.log.error({ err: error }, 'the demo study failed');
        }
      }
      process.stdout.write('Ctrl-C stops the web app, the API and the warehouse.\n');
      await waitForever();
    });
}
