// The server half of read-api.bench.ts, in its own process so the load generator does not share
// its event loop: the GraphQL API and, beside it, a bare HTTP endpoint per query that fetches
// the same data with one direct SQL statement (the baseline GraphQL is measured against).
// Prints {"graphql": url, "direct": url} on stdout once both listen; stops on SIGTERM.
// GET /cache-stats on the direct server answers the API's response cache counters (null when off),
// GET /cpu this process's CPU time in µs (process.cpuUsage, user + system), GET /server-latency
// the server's own view of the GraphQL requests since the last call (serverLatency below).
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
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

/**
 * Per GraphQL request, as the server sees it: from the request's arrival (Node's
 * http.server.request.start) to res.end() being called (`answerMs`: the answer is computed and
 * handed to the socket) and to 'finish' (`finishMs`: its last byte is written to the kernel). Set
 * beside the client's latency, this says whether a tail is the server's or the load generator's.
 * Also the event loop's delay and the garbage collector's pauses over the same span.
 */
const measuredPaths = new Set([
  new URL(api.url).pathname,
  '/class-comparison',
  '/significance-sweep',
]);
let answerMs: number[] = [];
let finishMs: number[] = [];
diagnostics.subscribe('http.server.request.start', (message) => {
  const { request, response } = message as {
    request: http.IncomingMessage;
    response: http.ServerResponse;
  };
  if (!measuredPaths.has(request.url ?? '')) return;
  const started = performance.now();
  response.once('prefinish', () => answerMs.push(performance.now() - started));
  response.once('finish', () => finishMs.push(performance.now() - started));
});
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let gcPauses: number[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push(entry.duration);
}).observe({ entryTypes: ['gc'] });

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return Number(
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1),
  );
}

function spread(values: number[]) {
  const sorted = values.toSorted((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: percentile(sorted, 1),
  };
}

/** What the server saw since the last call; each call starts a new span. */
function serverLatency() {
  const gcSorted = gcPauses.toSorted((a, b) => a - b);
  const report = {
    answer: spread(answerMs),
    finish: spread(finishMs),
    eventLoopDelay: {
      p50: Number((loopDelay.percentile(50) / 1e6).toFixed(1)),
      p99: Number((loopDelay.percentile(99) / 1e6).toFixed(1)),
      max: Number((loopDelay.max / 1e6).toFixed(1)),
    },
    gc: {
      pauses: gcSorted.length,
      totalMs: Number(gcSorted.reduce((a, b) => a + b, 0).toFixed(1)),
      maxMs: percentile(gcSorted, 1),
    },
  };
  answerMs = [];
  finishMs = [];
  gcPauses = [];
  loopDelay.reset();
  return report;
}

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
  if (req.url === '/server-latency') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(serverLatency()));
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
