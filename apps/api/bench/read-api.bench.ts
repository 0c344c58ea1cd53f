// The read API at ImageNet scale (issue 7's targets). Run with
//   npm run bench -w @kdlens/api      (or: cd apps/api && node --import tsx bench/read-api.bench.ts)
// On the embedded PostgreSQL in a temporary folder or, when DATABASE_URL is set, in a fresh
// database created on that server and dropped afterwards. Seeds one study with writeImportedStudy:
// 1000 classes, 50,000 test examples, 12 arms (teacher, NDS, KD at T = 1..10) × 5 seeds. Then,
// with a server in a child process, 50 concurrent clients (autocannon) for each of:
//   classComparison (NDS vs KD T=4, 1000 rows)   beside   a direct SQL select of the same arms'
//                                                         per-class accuracies (10 runs × 1000)
//   classComparison.columns (the same, columnar) beside   the same direct select
//   significanceSweep (10 temperatures)           beside   a direct SQL select of the summary's rows
// JSON lines on stdout ({"bench":"api", ...}: p50/p99 ms, requests/s, the server's CPU ms per
// request, ratio GraphQL / direct, machine load), a readable line per measurement on stderr.
// The server runs with NODE_ENV=production unless NODE_ENV is set, as `kdlens` does: graphql-js
// is about twice as fast per field then (its development build checks every instanceof for
// duplicate modules). Each query is measured twice: with the API's response cache on, as in
// `kdlens serve` (a line per query gives its hit rate over the measured requests), then off, which
// measures execution (the miss path). All the while a unit of the study "trains": progress and
// heartbeat writes 14 times a second, which must not cost the cache its hits (issue 14).
// Repeated queries run compiled by graphql-jit (src/execution/compiled-executor.ts);
// BENCH_EXECUTOR=graphql-js measures graphql-js's executor instead, and =both measures each
// server twice, compiled and not, so the two can be compared within one run.
// Environment: BENCH_SECONDS (per measurement, default 10), BENCH_CONNECTIONS (default 50),
// BENCH_EXAMPLES (default 50000), BENCH_CLASSES (default 1000), BENCH_RESPONSE_CACHE (on|off|both, default both),
// BENCH_EXECUTOR (compiled|graphql-js|both, default compiled),
// BENCH_QUERIES (comma-separated names: measure only these),
// BENCH_CPU_PROFILE (a folder: the server writes a V8 .cpuprofile there when it stops).
// BENCH_SMOKE=1 (CI's `npm run bench:smoke`) makes the defaults tiny (1 s per measurement and
// warm-up, 2 connections, 200 examples, 10 classes) so the bench runs end to end in seconds; its
// lines carry "smoke":true.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createLogger, type ImportedStudy, writeImportedStudy } from '@kdlens/core';
import { type Database, openScratchWarehouse } from '@kdlens/core/db';
import { claimRun, heartbeatRun, insertMissingRuns, writeRunProgress } from '@kdlens/core/queue';
import { createRandom } from '@kdlens/metrics';
import autocannon from 'autocannon';
import { z } from 'zod';

const smoke = process.env.BENCH_SMOKE === '1';
const env = z
  .object({
    DATABASE_URL: z.string().optional(),
    BENCH_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(smoke ? 1 : 10),
    BENCH_CONNECTIONS: z.coerce
      .number()
      .int()
      .min(1)
      .default(smoke ? 2 : 50),
    BENCH_EXAMPLES: z.coerce
      .number()
      .int()
      .min(100)
      .default(smoke ? 200 : 50_000),
    BENCH_CLASSES: z.coerce
      .number()
      .int()
      .min(2)
      .default(smoke ? 10 : 1000),
    BENCH_RESPONSE_CACHE: z.enum(['on', 'off', 'both']).default('both'),
    BENCH_EXECUTOR: z.enum(['compiled', 'graphql-js', 'both']).default('compiled'),
    BENCH_CPU_PROFILE: z.string().optional(),
    BENCH_QUERIES: z.string().optional(),
    BENCH_CLIENT: z.enum(['process', 'inline']).default('process'),
  })
  .parse(process.env);

const TARGET_P99_MS = 100;
const TARGET_OVERHEAD = 2;
const n = env.BENCH_EXAMPLES;
const numClasses = env.BENCH_CLASSES;
const seeds = [0, 1, 2, 3, 4];
/** BENCH_QUERIES: a comma-separated subset of the measured queries (profiling one at a time). */
const queries = env.BENCH_QUERIES ? new Set(env.BENCH_QUERIES.split(',')) : undefined;
const temperatures = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

function emit(record: Record<string, unknown>, readable: string): void {
  process.stdout.write(
    `${JSON.stringify({ bench: 'api', ...(smoke ? { smoke } : {}), ...record })}\n`,
  );
  process.stderr.write(`${readable}\n`);
}

const machine = () => ({
  cpus: os.availableParallelism(),
  load1: Number(os.loadavg()[0]?.toFixed(2)),
});

function open() {
  return openScratchWarehouse({
    label: 'bench_api',
    serverUrl: env.DATABASE_URL,
    log: createLogger('warn', 'bench'),
  });
}

/** Arms whose per-class skill differs in a seeded pattern, so some classes test significant. */
function syntheticStudy(): ImportedStudy {
  const rnd = createRandom(7);
  const labels = Int32Array.from({ length: n }, () => rnd.int(numClasses));
  const arms = [
    { role: 'teacher' as const, temperature: null, base: 0.76 },
    { role: 'student' as const, temperature: null, base: 0.69 },
    ...temperatures.map((t) => ({ role: 'distilled' as const, temperature: t, base: 0.7 })),
  ];
  const runs = arms.flatMap((arm, a) =>
    seeds.map((seed) => {
      const r = createRandom(1000 * a + seed);
      const skill = Float64Array.from(
        { length: numClasses },
        (_, c) => arm.base + 0.15 * Math.sin((c + 1) * (a + 1) * 0.7),
      );
      const predicted = Int32Array.from(labels, (y) =>
        r.next() < (skill[y] as number) ? y : r.int(numClasses),
      );
      return {
        file: `${arm.role}-${arm.temperature ?? 'x'}-s${seed}`,
        role: arm.role,
        temperature: arm.temperature,
        seed,
        architecture: arm.role === 'teacher' ? 'resnet50' : 'resnet18',
        predicted,
        probs: null,
      };
    }),
  );
  return {
    testSet: {
      ids: Array.from({ length: n }, (_, i) => `val_${i}`),
      labels,
      numClasses,
      classNames: Array.from({ length: numClasses }, (_, c) => `n${String(c).padStart(8, '0')}`),
      sensitive: {},
    },
    runs,
  };
}

interface LiveStudy {
  /** Progress and heartbeat writes per second since the last call. */
  writesPerSecond(): number;
  stop(): Promise<void>;
}

/**
 * A unit the study lacks (a sixth NDS seed), claimed like a worker claims it, then progress every
 * 100 ms and a heartbeat every 250 ms: 14 writes a second, as a running study writes them.
 */
async function startLiveStudy(db: Database, experimentId: string): Promise<LiveStudy> {
  await insertMissingRuns(db, experimentId, [
    { role: 'student', temperature: null, seed: seeds.length, architecture: 'resnet18' },
  ]);
  const { rows } = await db.$client.query<{ id: string }>(
    "select id from runs where experiment_id = $1 and role = 'student' and seed = $2",
    [experimentId, seeds.length],
  );
  const runId = rows[0]?.id;
  const claimed = runId === undefined ? undefined : await claimRun(db, runId, 'bench-worker:1');
  if (!claimed) throw new Error('the live unit could not be claimed');
  let writes = 0;
  let since = performance.now();
  let step = 0;
  const failures: unknown[] = [];
  const write = (work: () => Promise<unknown>) => () => {
    work().then(
      () => {
        writes++;
      },
      (error: unknown) => failures.push(error),
    );
  };
  const progress = setInterval(
    write(() =>
      writeRunProgress(db, claimed, {
        fraction: (++step % 1000) / 1000,
        epoch: 1 + Math.floor(step / 100),
        loss: 1 / (1 + step),
      }),
    ),
    100,
  );
  const beat = setInterval(
    write(() => heartbeatRun(db, claimed)),
    250,
  );
  return {
    writesPerSecond: () => {
      const now = performance.now();
      const rate = (1000 * writes) / (now - since);
      writes = 0;
      since = now;
      return Number(rate.toFixed(1));
    },
    stop: async () => {
      clearInterval(progress);
      clearInterval(beat);
      // Let writes in flight land before the warehouse is dropped.
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (failures.length > 0) throw new Error(`live writes failed: ${String(failures[0])}`);
    },
  };
}

type Executor = 'compiled' | 'graphql-js';

async function startServer(
  url: string,
  experimentId: string,
  mode: 'on' | 'off',
  executor: Executor,
) {
  const child = spawn(
    process.execPath,
    [
      // Node refuses --cpu-prof in NODE_OPTIONS, so it is passed to the server process here.
      ...(env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_CPU_PROFILE}`] : []),
      '--import',
      'tsx',
      fileURLToPath(new URL('./bench-server.ts', import.meta.url)),
    ],
    {
      env: {
        ...process.env,
        NODE_ENV: process.env.NODE_ENV ?? 'production',
        BENCH_DATABASE_URL: url,
        BENCH_EXPERIMENT_ID: experimentId,
        BENCH_RESPONSE_CACHE: mode,
        BENCH_EXECUTOR: executor,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  const urls = z.object({ graphql: z.string(), direct: z.string() }).parse(JSON.parse(line));
  return {
    ...urls,
    cacheStats: async () =>
      cacheStatsSchema.parse(await (await fetch(`${urls.direct}/cache-stats`)).json()),
    cpuMicros: async () => z.number().parse(await (await fetch(`${urls.direct}/cpu`)).json()),
    serverLatency: async () =>
      serverLatencySchema.parse(await (await fetch(`${urls.direct}/server-latency`)).json()),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const cacheStatsSchema = z
  .object({
    hits: z.number(),
    misses: z.number(),
    bypasses: z.number(),
    entries: z.number(),
    bytes: z.number(),
  })
  .nullable();

const spreadSchema = z.object({
  count: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  max: z.number(),
});
/** bench-server.ts's own timing of the requests it answered over one measurement. */
const serverLatencySchema = z.object({
  answer: spreadSchema,
  finish: spreadSchema,
  eventLoopDelay: z.object({ p50: z.number(), p99: z.number(), max: z.number() }),
  gc: z.object({ pauses: z.number(), totalMs: z.number(), maxMs: z.number() }),
});
type ServerLatency = z.infer<typeof serverLatencySchema>;

const clientResultSchema = z.object({
  latency: z.object({ p50: z.number(), p90: z.number(), p99: z.number(), max: z.number() }),
  requests: z.object({ average: z.number(), total: z.number() }),
  errors: z.number(),
  timeouts: z.number(),
  non2xx: z.number(),
});

/**
 * autocannon in a process of its own (load-client.ts): parsing 50 connections' answers costs the
 * client CPU, which must not be taken from, or queue behind, anything else in a process.
 */
async function loadClient(options: Parameters<typeof autocannon>[0]) {
  if (env.BENCH_CLIENT === 'inline') {
    const gc: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gc.push(entry.duration);
    });
    observer.observe({ entryTypes: ['gc'] });
    const result = await autocannon(options);
    observer.disconnect();
    return {
      ...clientResultSchema.parse(result),
      clientGc: {
        pauses: gc.length,
        totalMs: Number(gc.reduce((a, b) => a + b, 0).toFixed(1)),
        maxMs: Number(Math.max(0, ...gc).toFixed(1)),
      },
    };
  }
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./load-client.ts', import.meta.url)),
      JSON.stringify(options),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`load client exited with ${code}`)),
    );
  });
  return clientResultSchema.parse(JSON.parse(line));
}

interface Load {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
}

/**
 * `cpuMicros`: the server's CPU time, read around the measured run (not the warm-up);
 * `serverLatency`: the server's own timing of the same requests.
 */
async function measure(
  load: Load,
  cpuMicros: () => Promise<number>,
  serverLatency: () => Promise<ServerLatency>,
) {
  const options = {
    url: load.url,
    method: load.method,
    connections: env.BENCH_CONNECTIONS,
    ...(load.body ? { body: load.body, headers: { 'content-type': 'application/json' } } : {}),
  };
  await loadClient({ ...options, duration: smoke ? 1 : 2 }); // warm-up: JIT, caches, pool connections
  const before = machine();
  await serverLatency(); // starts the server's span here
  const cpuBefore = await cpuMicros();
  const result = await loadClient({ ...options, duration: env.BENCH_SECONDS });
  const cpuMs = ((await cpuMicros()) - cpuBefore) / 1000;
  const server = await serverLatency();
  return {
    // The server's CPU time per answered request: latency at 50 clients is roughly this times the
    // requests waiting, when the server has a core to itself.
    cpuMsPerRequest: Number((cpuMs / Math.max(1, result.requests.total)).toFixed(3)),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    rps: Math.round(result.requests.average),
    requests: result.requests.total,
    failed: result.errors + result.timeouts + result.non2xx,
    load1Before: before.load1,
    load1After: machine().load1,
    // Arrival to the last byte written, as the server saw it (requests the client abandoned at
    // the end of the run included): a client p99 far above it is the load generator's own delay.
    server,
    // BENCH_CLIENT=inline: the garbage collector's pauses in the process that ran autocannon.
    ...('clientGc' in result ? { clientGc: result.clientGc } : {}),
  };
}

/** One request, checked, so a fast stream of errors is never mistaken for speed. */
async function check(url: string, body: string, expect: (data: unknown) => boolean) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const json = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
  if (json.errors?.length || !expect(json.data)) {
    throw new Error(`unexpected answer: ${JSON.stringify(json).slice(0, 500)}`);
  }
  return json.data;
}

/** Every measurement against one server, its response cache on or off. */
async function measureServer(
  url: string,
  experimentId: string,
  mode: 'on' | 'off',
  executor: Executor,
  live: LiveStudy,
): Promise<void> {
  const server = await startServer(url, experimentId, mode, executor);
  try {
    const id = experimentId;
    const classBody = JSON.stringify({
      query: `query($id: ID!) { classComparison(experimentId: $id, a: {role: student}, b: {role: distilled, temperature: 4}) {
        significantCount testedCount rows { classIndex className accuracyA accuracyB delta t df p adjustedP significant } } }`,
      variables: { id },
    });
    const sweepBody = JSON.stringify({
      query: `query($id: ID!) { significanceSweep(experimentId: $id) { rows { temperature sc { raw holm bh tested } tc { raw holm bh tested } scCount tcCount } } }`,
      variables: { id },
    });
    // A cold first request loads the study into the cache: reported, then excluded from load.
    const started = performance.now();
    const first = await check(
      server.graphql,
      classBody,
      (d) =>
        z
          .object({
            classComparison: z.object({ rows: z.array(z.unknown()).length(numClasses) }),
          })
          .safeParse(d).success,
    );
    const coldMs = performance.now() - started;
    const significant = z
      .object({ classComparison: z.object({ significantCount: z.number() }) })
      .parse(first).classComparison.significantCount;
    await check(
      server.graphql,
      sweepBody,
      (d) =>
        z
          .object({ significanceSweep: z.object({ rows: z.array(z.unknown()).length(10) }) })
          .safeParse(d).success,
    );
    emit(
      { name: 'cold-class-comparison', ms: coldMs, significantClasses: significant },
      `classComparison, first request (loads the study cache): ${coldMs.toFixed(0)} ms; ${significant} of ${numClasses} classes significant (Holm)`,
    );

    const columnsBody = JSON.stringify({
      query: `query($id: ID!) { classComparison(experimentId: $id, a: {role: student}, b: {role: distilled, temperature: 4}) {
        significantCount testedCount columns { className accuracyA accuracyB delta t df p adjustedP significant } } }`,
      variables: { id },
    });
    for (const q of [
      { name: 'classComparison', body: classBody, direct: '/class-comparison' },
      { name: 'classComparison.columns', body: columnsBody, direct: '/class-comparison' },
      { name: 'significanceSweep', body: sweepBody, direct: '/significance-sweep' },
    ].filter((q) => !queries || queries.has(q.name))) {
      const statsBefore = await server.cacheStats();
      const graphql = await measure(
        { url: server.graphql, method: 'POST', body: q.body },
        server.cpuMicros,
        server.serverLatency,
      );
      const statsAfter = await server.cacheStats();
      const direct = await measure(
        { url: `${server.direct}${q.direct}`, method: 'GET' },
        server.cpuMicros,
        server.serverLatency,
      );
      const overhead = graphql.p99 / direct.p99;
      emit(
        {
          name: q.name,
          classes: numClasses,
          connections: env.BENCH_CONNECTIONS,
          seconds: env.BENCH_SECONDS,
          graphql,
          direct,
          p99OverDirect: overhead,
          rpsDirectOverGraphql: direct.rps / graphql.rps,
          responseCache: mode,
          executor,
          liveWritesPerSecond: live.writesPerSecond(),
          targetP99Ms: TARGET_P99_MS,
          targetOverhead: TARGET_OVERHEAD,
          ...machine(),
        },
        `${q.name} (cache ${mode}, ${executor}): GraphQL p50 ${graphql.p50} ms, p90 ${graphql.p90} ms, p99 ${graphql.p99} ms, ${graphql.rps} req/s, CPU ${graphql.cpuMsPerRequest} ms/req` +
          ` (server p50 ${graphql.server.finish.p50}, p99 ${graphql.server.finish.p99} ms; answer p99 ${graphql.server.answer.p99} ms; loop delay p99 ${graphql.server.eventLoopDelay.p99} ms; GC ${graphql.server.gc.totalMs} ms, max ${graphql.server.gc.maxMs})` +
          ('clientGc' in graphql ? ` (client GC ${JSON.stringify(graphql.clientGc)})` : '') +
          ` | direct SQL p50 ${direct.p50} ms, p99 ${direct.p99} ms (server p99 ${direct.server.finish.p99}), ${direct.rps} req/s, CPU ${direct.cpuMsPerRequest} ms/req` +
          ` | p99 ratio ${overhead.toFixed(2)} (target ≤ ${TARGET_OVERHEAD}), failed ${graphql.failed}/${direct.failed}` +
          ` | load ${graphql.load1Before}→${direct.load1After} on ${os.availableParallelism()} cpus`,
      );
      if (graphql.failed > 0 || direct.failed > 0) {
        // Latency of refused requests is no measurement: say so, and fail the run (and CI's
        // smoke run), instead of printing numbers that look fine.
        process.stderr.write(
          `${q.name}: ${graphql.failed} GraphQL and ${direct.failed} direct requests failed\n`,
        );
        process.exitCode = 1;
      }
      if (statsBefore && statsAfter) {
        // Over warm-up and measurement: the first request after a version change is a miss.
        const hits = statsAfter.hits - statsBefore.hits;
        const misses = statsAfter.misses - statsBefore.misses;
        const bypasses = statsAfter.bypasses - statsBefore.bypasses;
        const hitRate = hits / Math.max(1, hits + misses + bypasses);
        emit(
          {
            name: `${q.name}.response-cache`,
            hits,
            misses,
            bypasses,
            hitRate,
            entries: statsAfter.entries,
            bytes: statsAfter.bytes,
          },
          `${q.name}: response cache ${hits} hits, ${misses} misses, ${bypasses} bypasses (hit rate ${(100 * hitRate).toFixed(2)} %), ${statsAfter.entries} entries, ${(statsAfter.bytes / 1024).toFixed(0)} kB`,
        );
      }
    }
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const { warehouse, dispose } = await open();
  try {
    const started = performance.now();
    const outcome = await writeImportedStudy(
      warehouse.db,
      { experiment: 'imagenet-api-bench', dataset: 'synthetic', files: [] },
      syntheticStudy(),
    );
    emit(
      {
        name: 'seed',
        runs: 60,
        examples: n,
        classes: numClasses,
        seconds: (performance.now() - started) / 1000,
        ...machine(),
      },
      `seeded 60 runs × ${n} examples × ${numClasses} classes in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    // A unit that trains while the server is measured: progress and heartbeats several times a
    // second, as a live study writes them (issue 14), with the cache on and off alike.
    const live = await startLiveStudy(warehouse.db, outcome.experimentId);
    try {
      for (const mode of env.BENCH_RESPONSE_CACHE === 'both'
        ? (['on', 'off'] as const)
        : [env.BENCH_RESPONSE_CACHE]) {
        for (const executor of env.BENCH_EXECUTOR === 'both'
          ? (['graphql-js', 'compiled'] as const)
          : [env.BENCH_EXECUTOR]) {
          await measureServer(warehouse.url, outcome.experimentId, mode, executor, live);
        }
      }
    } finally {
      await live.stop();
    }
  } finally {
    await dispose();
  }
}

await main();
