import type { ApiServer } from '@kdlens/api';
import type { Command } from 'commander';
import type { WebServer } from '../../serve/start-web.ts';
import { cliContext } from '../cli-context.ts';
import { createProgressReporter } from '../progress.ts';
import { waitForever } from '../wait-forever.ts';

export function registerServeCommands(program: Command): void {
  program
    .command('api')
    .description('serve the GraphQL API (KDLENS_API_HOST:KDLENS_API_PORT) until Ctrl-C')
    .action(async () => {
      const { onShutdown } = await import('@kdlens/core');
      const { openWarehouse } = await import('@kdlens/core/db');
      const { startApiServer } = await import('@kdlens/api');
      const ctx = cliContext();
      const warehouse = await openWarehouse({ config: ctx.config, log: ctx.log });
      const api = await startApiServer({
        db: warehouse.db,
        log: ctx.log,
        host: ctx.config.api.host,
        port: ctx.config.api.port,
      }).catch(async (error: unknown) => {
        await warehouse.close();
        throw error;
      });
      onShutdown(async () => {
        await api.stop();
        await warehouse.close();
      });
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
      const { onShutdown } = await import('@kdlens/core');
      const { openWarehouse } = await import('@kdlens/core/db');
      const { startApiServer } = await import('@kdlens/api');
      const { startWeb } = await import('../../serve/start-web.ts');
      const { runDemo } = await import('../../demo/run-demo.ts');
      const ctx = cliContext();
      const { config, log } = ctx;
      const warehouse = await openWarehouse({ config, log });
      let web: WebServer | undefined;
      const abort = new AbortController();
      const stopAll = async () => {
        abort.abort();
        await web?.stop();
        await api?.stop();
        await warehouse.close();
      };
      onShutdown(stopAll);
      let api: ApiServer | undefined;
      try {
        api = await startApiServer({
          db: warehouse.db,
          log,
          host: config.api.host,
          port: config.api.port,
        });
        web = await startWeb({ port: config.web.port, apiUrl: api.url, log });
      } catch (error) {
        await stopAll();
        throw error;
      }
      process.stdout.write(`\n  KDLens is up: open ${web.url}   (GraphQL: ${api.url})\n\n`);

      if (options.demo) {
        const progress = createProgressReporter({
          interactive: config.showProgress && process.stderr.isTTY === true,
          log,
        });
        try {
          const result = await runDemo({
            db: warehouse.db,
            log,
            backend: config.backend,
            progress,
            signal: abort.signal,
          });
          progress.stop();
          if (result.trained > 0) {
            process.stdout.write(`demo study trained (${result.trained} runs): see ${web.url}\n`);
          }
        } catch (error) {
          progress.stop();
          // Serving goes on: the page shows the failed run and its error.
          if (!abort.signal.aborted) log.error({ err: error }, 'the demo study failed');
        }
      }
      process.stdout.write('Ctrl-C stops the web app, the API and the warehouse.\n');
      await waitForever();
    });
}
