// The API in a process of its own, configured from the environment exactly as `kdlens api` is
// (loadConfig: KDLENS_API_* limits, KDLENS_ALLOW_ANONYMOUS_READ), so a test can read its memory
// from /proc/<pid>/status and hold connections against it without sharing its event loop.
// Prints {"url": …} on stdout once it listens; answers the IPC message "stats" with
// ApiServer.stats(), and "gc" by collecting garbage (started with --expose-gc) and sending
// process.memoryUsage(), so that RSS and the heap show what is kept rather than what is not yet
// collected; stops on SIGTERM. Start it with startApiProcess (api-process.ts).
import { startApiServer } from '@kdlens/api';
import { createLogger, loadConfig } from '@kdlens/core';
import { createDatabase } from '@kdlens/core/db';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('api-server.process.ts needs DATABASE_URL');
const db = createDatabase(config.databaseUrl);
const api = await startApiServer({
  db,
  log: createLogger(config.logLevel, 'api-process'),
  host: '127.0.0.1',
  port: 0,
  allowAnonymousRead: config.api.allowAnonymousRead ?? false,
  limits: config.api.limits,
});
process.on('message', (message) => {
  if (message === 'stats') process.send?.({ stats: api.stats() });
  if (message === 'gc') {
    globalThis.gc?.();
    process.send?.({ gc: globalThis.gc !== undefined, memory: process.memoryUsage() });
  }
});
process.on('SIGTERM', () => {
  void api
    .stop()
    .then(() => db.$client.end())
    .finally(() => process.exit(0));
});
process.stdout.write(`${JSON.stringify({ url: api.url })}\n`);
