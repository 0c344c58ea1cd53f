import type { ApiServer } from '@kdlens/api';
import type { Warehouse } from '@kdlens/core/db';
import type { Command } from 'commander';
import { type CliContext, cliContext } from '../cli-context.ts';
import { anonymousReadDecision } from '../serve/anonymous-read.ts';
import type { WebServer } from '../serve/start-web.ts';
import { waitForever } from '../wait-forever.ts';

/** Where the API and (for `serve` and `start`) the web app listen. */
interface Listen {
  apiHost: string;
  /** Undefined for `kdlens api`, which serves no web app. */
  webHost?: string;
}

/** `--host` and `--api-host` over KDLENS_WEB_HOST and KDLENS_API_HOST. */
function listenOn(ctx: CliContext, options: { host?: string; apiHost?: string }): Required<Listen> {
  return {
    apiHost: options.apiHost ?? ctx.config.api.host,
    webHost: options.host ?? ctx.config.web.host,
  };
}

/**
 * Opens the warehouse and the API, and registers one shutdown that runs `stopFirst` (for what the
 * caller starts on top), then stops the API and the warehouse. Ctrl-C or SIGTERM at any point
 * stops what is up. `anonymousReadByDefault` applies when KDLENS_ALLOW_ANONYMOUS_READ is unset:
 * the demo (`kdlens start`) reads without tokens, `kdlens serve` and `kdlens api` do not; and
 * only ever while everything listens on loopback (serve/anonymous-read.ts).
 */
async function serveApi(
  ctx: CliContext,
  listen: Listen,
  stopFirst: () => Promise<void> = async () => {},
  anonymousReadByDefault = false,
): Promise<{ warehouse: Warehouse; api: ApiServer; stopAll: () => Promise<void> }> {
  const { onShutdown } = await import('@kdlens/core');
  const { openWarehouse } = await import('@kdlens/core/db');
  const { createApiControl, startApiServer } = await import('@kdlens/api');
  const { queueSettings } = await import('@kdlens/core/queue');
  const access = anonymousReadDecision({
    apiHost: listen.apiHost,
    ...(listen.webHost === undefined ? {} : { webHost: listen.webHost }),
    requested: ctx.config.api.allowAnonymousRead,
    byDefault: anonymousReadByDefault,
    ...(ctx.config.web.publicUrl === undefined ? {} : { publicUrl: ctx.config.web.publicUrl }),
  });
  if (access.refused) ctx.log.warn(access.refused);
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
      host: listen.apiHost,
      port: ctx.config.api.port,
      allowAnonymousRead: access.anonymousRead,
      limits: ctx.config.api.limits,
      ...(ctx.config.api.metricsToken === undefined
        ? {}
        : { metricsToken: ctx.config.api.metricsToken }),
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

/**
 * The API, then the web app pointed at it. `stopFirst` runs before the web app stops (the demo's
 * training); the web app stops before the API, so its in-flight pages still get their answers.
 */
async function serveApiAndWeb(
  ctx: CliContext,
  listen: Required<Listen>,
  stopFirst: () => Promise<void>,
  anonymousReadByDefault: boolean,
): Promise<{ warehouse: Warehouse; api: ApiServer; web: WebServer }> {
  const { startWeb } = await import('../serve/start-web.ts');
  let web: WebServer | undefined;
  const { warehouse, api, stopAll } = await serveApi(
    ctx,
    listen,
    async () => {
      await stopFirst();
      await web?.stop();
    },
    anonymousReadByDefault,
  );
  try {
    web = await startWeb({
      host: listen.webHost,
      port: ctx.config.web.port,
      apiUrl: localApiUrl(listen.apiHost, api.url),
      ...(ctx.config.web.publicUrl === undefined ? {} : { publicUrl: ctx.config.web.publicUrl }),
      log: ctx.log,
    });
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { warehouse, api, web };
}

/**
 * How the web app, on this machine, reaches the API: an API on every interface (`0.0.0.0`, `::`)
 * is asked on loopback, any other address as it is.
 */
function localApiUrl(apiHost: string, url: string): string {
  const port = /:(\d+)\/graphql$/.exec(url)?.[1];
  if (port === undefined) return url;
  if (['0.0.0.0', '::', '[::]'].includes(apiHost)) return `http://127.0.0.1:${port}/graphql`;
  return url;
}

const hostOption = [
  '--host <address>',
  'where the web app listens (KDLENS_WEB_HOST, default 127.0.0.1); off loopback everyone signs in',
] as const;
const apiHostOption = [
  '--api-host <address>',
  'where the GraphQL API listens (KDLENS_API_HOST, default 127.0.0.1)',
] as const;

export function registerServeCommands(program: Command): void {
  program
    .command('api')
    .description('serve the GraphQL API (KDLENS_API_HOST:KDLENS_API_PORT) until Ctrl-C')
    .action(async () => {
      const ctx = cliContext();
      const { api } = await serveApi(ctx, { apiHost: ctx.config.api.host });
      process.stdout.write(`GraphQL API at ${api.url}\n`);
      await waitForever();
    });

  program
    .command('serve')
    .description(
      'serve the API and the web app for a team (no demo): sign-in required off loopback, /healthz, /readyz and /metrics. Ctrl-C or SIGTERM stops after in-flight requests',
    )
    .option(...hostOption)
    .option(...apiHostOption)
    .action(async (options: { host?: string; apiHost?: string }) => {
      const ctx = cliContext();
      const listen = listenOn(ctx, options);
      const { api, web } = await serveApiAndWeb(ctx, listen, async () => {}, false);
      process.stdout.write(
        `\n  KDLens is serving: open ${web.publicUrl}   (GraphQL: ${api.url})\n\n`,
      );
      process.stdout.write('Ctrl-C stops the web app, the API and the warehouse.\n');
      await waitForever();
    });

  program
    .command('start')
    .description(
      'the demo: warehouse, API and web app; trains the demo study (presets/demo.yaml) through the job queue with one worker per core if it is missing. Ctrl-C stops all',
    )
    .option('--no-demo', 'serve only; do not train the demo study')
    .option('--demo-spec <file|preset>', 'train this spec as the demo instead of the demo preset')
    .option(...hostOption)
    .option(...apiHostOption)
    .action(
      async (options: { demo: boolean; demoSpec?: string; host?: string; apiHost?: string }) => {
        const ctx = cliContext();
        const abort = new AbortController();
        let training: Promise<unknown> | undefined;
        const { warehouse, api, web } = await serveApiAndWeb(
          ctx,
          listenOn(ctx, options),
          async () => {
            abort.abort();
            // The demo's workers put their units back in the queue while the warehouse is up.
            await training?.catch(() => {});
          },
          // The demo reads without tokens (its web app sends none) unless
          // KDLENS_ALLOW_ANONYMOUS_READ=0 or it listens off loopback.
          true,
        );
        process.stdout.write(`\n  KDLens is up: open ${web.publicUrl}   (GraphQL: ${api.url})\n\n`);

        if (options.demo) {
          const { otherSpecAdvice, trainDemoStudy } = await import(
            '@kdlens/trainer/train-demo-study'
          );
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
            if (result.otherSpec) process.stdout.write(`${otherSpecAdvice(result.name)}\n`);
            if (result.trained > 0) {
              process.stdout.write(
                `demo study trained (${result.trained} runs): see ${web.publicUrl}\n`,
              );
            }
          } catch (error) {
            // Serving goes on: the page shows the failed runs and their errors.
            if (!abort.signal.aborted) ctx.log.error({ err: error }, 'the demo study failed');
          }
        }
        process.stdout.write('Ctrl-C stops the web app, the API and the warehouse.\n');
        await waitForever();
      },
    );
}
