// The server half of read-api.bench.ts, in its own process so the load generator does not share
// its event loop: the GraphQL API and, beside it, a bare HTTP endpoint per query that fetches
// the same data with one direct SQL statement (the baseline GraphQL is measured against).
// Prints {"graphql": url, "direct": url} on stdout once both listen; stops on SIGTERM.
// GET /cache-stats on the direct server answers the API's response cache counters (null when off),
// GET /cpu this process's CPU time in µs (process.cpuUsage, user + system).
import http from 'node:http';
import { createLogger } from '@kdlens/core';
import { createDatabase } from '@kdlens/core/db';
import { z } from 'zod';
import { startApiServer } from '../src/server.ts';

const env = z
  .object({
    BENCH_DATABASE_URL: z.string().min(1),
    BENCH_EXPERIMENT_ID: z.guid(),
    BENCH_RESPONSE_CACHE: z.enum(['on', 'off']).default('on'),
    BENCH_EXECUTOR: z.enum(['compiled', 'graphql-js']).default('compiled'),
    BENCH_CONNECTIONS: z.coerce.number().int().min(1).default(50),
  })
  .parse(process.env);

const db = createDatabase(env.BENCH_DATABASE_URL);
const api = await startApiServer({
  db,
  log: createLogger('warn', 'bench-api'),
  host: '127.0.0.1',
  port: 0,
  allowAnonymousRead: true,
  responseCache: env.BENCH_RESPONSE_CACHE === 'on' ? {} : false,
  compileQueries: env.BENCH_EXECUTOR === 'compiled',
  // The bench's clients are one anonymous caller; the per-caller limit (4 at once) would measure
  // the limiter's queue, not the server. The slots themselves are still taken and given back.
  limits: { maxConcurrent: env.BENCH_CONNECTIONS },
});

// What classComparison reads: the per-class accuracies of the two arms' runs.
const CLASS_SQL = `
  select r.role, r.temperature, r.seed, a.overall, a.accuracy
  from runs r join run_class_accuracy a on a.run_id = r.id
  where r.experiment_id = $1
    and ((r.role = 'student') or (r.role = 'distilled' and r.temperature = 4))
  order by r.role, r.seed`;
// What significanceSweep shows: the stored summary's Table 1 rows.
const SWEEP_SQL = `select summary->'significance' as significance from study_summaries where experiment_id = $1`;

const direct = http.createServer((req, res) => {
  if (req.url === '/cpu') {
    // This process's CPU time so far (µs): the bench divides a measurement's share by its
    // requests, a cost per request that other work on the machine changes far less than latency.
    const { user, system } = process.cpuUsage();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(user + system));
    return;
  }
  if (req.url === '/cache-stats') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(api.cacheStats()));
    return;
  }
  const sql =
    req.url === '/class-comparison'
      ? CLASS_SQL
      : req.url === '/significance-sweep'
        ? SWEEP_SQL
        : null;
  if (!sql) {
    res.writeHead(404).end();
    return;
  }
  db.$client.query(sql, [env.BENCH_EXPERIMENT_ID]).then(
    (result) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result.rows));
    },
    (error: unknown) => {
      res.writeHead(500).end(String(error));
    },
  );
});
await new Promise<void>((resolve) => direct.listen(0, '127.0.0.1', resolve));
const address = direct.address();
const port = typeof address === 'object' && address ? address.port : 0;
process.stdout.write(
  `${JSON.stringify({ graphql: api.url, direct: `http://127.0.0.1:${port}` })}\n`,
);

process.on('SIGTERM', () => {
  direct.close();
  void api.stop().then(() => db.$client.end());
});
