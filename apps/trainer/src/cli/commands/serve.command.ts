import type { ApiServer } from '@kdlens/api';
import type { Warehouse } from '@kdlens/core/db';
import type { Command } from 'commander';
import type { WebServer } from '../../serve/start-web.ts';
import { type CliContext, cliContext } from '../cli-context.ts';
import { trainDemo } from '../train-demo.ts';
import { waitForever } from '../wait-forever.ts';

/**
 * Opens the warehouse and the API, and registers one shutdown that runs `stopFirst` (for what the
 * caller starts on top), then stops the API and the warehouse. Ctrl-C at any point stops what is up.
 */
async function serveApi(
  ctx: CliContext,
  stopFirst: () => Promise<void> = async () => {},
): Promise<{ warehouse: Warehouse; api: ApiServer; stopAll: () => Promise<void> }> {
  const { onShutdown } = await import('@kdlens/core');
  const { openWarehouse } = await import('@kdlens/core/db');
  const { startApiServer } = await import('@kdlens/api');
  const warehouse = await openWarehouse({ config: ctx.config, log: ctx.log });
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
      'the demo: warehouse, API and web app; trains the demo study if it is missing. Ctrl-C stops all',
    )
    .option('--no-demo', 'serve only; do not train the demo study')
    .action(async (options: { demo: boolean }) => {
      const ctx = cliContext();
      const { startWeb } = await import('../../serve/start-web.ts');
      const abort = new AbortController();
      let web: WebServer | undefined;
      const { warehouse, api, stopAll } = await serveApi(ctx, async () => {
        abort.abort();
        await web?.stop();
      });
      try {
        web = await startWeb({ port: ctx.config.web.port, apiUrl: api.url, log: ctx.log });
      } catch (error) {
        await stopAll();
        throw error;
      }
      process.stdout.write(`\n  KDLens is up: open ${web.url}   (GraphQL: ${api.url})\n\n`);

      if (options.demo) {
        try {
          const result = await trainDemo(warehouse.db, ctx, { signal: abort.signal });
          if (result.trained > 0) {
            process.stdout.write(`demo study trained (${result.trained} runs): see ${web.url}\n`);
          }
        } catch (error) {
          // Serving goes on: the page shows the failed run and its error.
          if (!abort.signal.aborted) ctx.log.error({ err: error }, 'the demo study failed');
        }
      }
      process.stdout.write('Ctrl-C stops the web app, the API and the warehouse.\n');
      await waitForever();
    });
}
