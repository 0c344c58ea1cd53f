/**
 * Exports at ImageNet scale over HTTP (issue 15's "Measure"): the `predictions` table of 60 runs
 * (12 arms × 5 seeds) × 50,000 examples with the top-5 of 1,000 classes stored and one sensitive
 * attribute — 3,000,000 rows — downloaded as CSV and as Parquet from an API server running in a
 * process of its own, so its memory is its own. One JSON line per format:
 *
 *   seconds, bytes, rows/s and MB/s of the download (request to last byte); the server's peak RSS
 *   during it (VmHWM, reset before each export through /proc/<pid>/clear_refs, else the largest
 *   VmRSS sampled every 20 ms) beside its RSS at rest before it, so the line shows what the export
 *   added; and, in the same run, the floor: reading the same runs' stored arrays out of the
 *   warehouse with no formatting (`overFloor` = export seconds / floor seconds).
 *
 * Then one line per reader: pandas.read_csv of the CSV (Debian's /usr/bin/python3 with
 * python3-pandas) and DuckDB reading the Parquet file whole (@duckdb/node-api), each timed, or
 * `skipped` with the reason. pandas cannot read the Parquet here: Debian ships neither pyarrow
 * nor fastparquet.
 *
 *   node --import tsx test/bench/export.bench.ts      (npm run bench -w @kdlens/test runs it)
 *
 * PostgreSQL: TEST_DATABASE_URL if set, else an embedded server in a temporary folder. Seeding
 * uses the warehouse's fastest path (saveRunResults with the summary deferred, as the warehouse
 * bench measures), printed as its own line. Environment: BENCH_RUNS_PER_ARM (seeds, default 5),
 * BENCH_EXAMPLES (default 50000), BENCH_CLASSES (default 1000), BENCH_FORMATS (default
 * csv,parquet), BENCH_SERVER_HEAP_MB (unset: Node's default; else the server's
 * --max-old-space-size, to show that an export needs no more heap than that: with 160 it still
 * streams all 3,000,000 rows, where an unbounded heap lets V8 grow lazily). BENCH_SMOKE=1
 * (CI's `npm run bench:smoke`): 2 seeds × 12 arms × 200 examples of 101 classes, lines carry
 * "smoke":true. A fraction of the full size (say BENCH_EXAMPLES=10000) measures the same path:
 * time and bytes scale with rows; the heap an export needs does not (see BENCH_SERVER_HEAP_MB).
 */
import { execFile } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { createLogger } from '@kdlens/core';
import { syntheticTopKRun } from '@kdlens/core/bench/synthetic-run';
import {
  createApiToken,
  loadRunPredictions,
  openScratchWarehouse,
  recordExperiment,
} from '@kdlens/core/db';
import { recordTestSet, saveRunResults } from '@kdlens/core/results';
import { createRandom } from '@kdlens/metrics';
import { z } from 'zod';
import { startApiProcess } from '../support/api-process.ts';

const smoke = process.env.BENCH_SMOKE === '1';
const env = z
  .object({
    TEST_DATABASE_URL: z.string().optional(),
    BENCH_RUNS_PER_ARM: z.coerce
      .number()
      .int()
      .min(1)
      .default(smoke ? 2 : 5),
    BENCH_EXAMPLES: z.coerce
      .number()
      .int()
      .min(10)
      .default(smoke ? 200 : 50_000),
    BENCH_CLASSES: z.coerce
      .number()
      .int()
      .min(101)
      .default(smoke ? 101 : 1000),
    BENCH_FORMATS: z.string().default('csv,parquet'),
    BENCH_SERVER_HEAP_MB: z.coerce.number().int().min(32).optional(),
  })
  .parse(process.env);

const K = 5;
const EXPERIMENT = 'imagenet-export-bench';
const n = env.BENCH_EXAMPLES;
const numClasses = env.BENCH_CLASSES;
const seeds = Array.from({ length: env.BENCH_RUNS_PER_ARM }, (_, s) => s);
const temperatures = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const formats = env.BENCH_FORMATS.split(',').map((f) =>
  z.enum(['csv', 'parquet', 'jsonl']).parse(f),
);
const python = '/usr/bin/python3';
const rootTsconfig = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
const execFileAsync = promisify(execFile);

function emit(record: Record<string, unknown>, readable: string): void {
  process.stdout.write(
    `${JSON.stringify({ bench: 'export', ...(smoke ? { smoke } : {}), ...record })}\n`,
  );
  process.stderr.write(`${readable}\n`);
}

const heapLimit = env.BENCH_SERVER_HEAP_MB;

const seconds = (since: number) => (performance.now() - since) / 1000;
const mb = (bytes: number) => bytes / 1e6;

/** Kilobytes of a /proc/<pid>/status field (VmRSS, VmHWM). */
async function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1];
  if (!kb) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kb);
}

/** Resets the peak RSS (VmHWM) of `pid` (Linux ≥ 4.0, same user); false where not allowed. */
async function resetPeak(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Downloads `url` into `file`; resolves with the time to the last byte and the byte count. */
function downloadTo(url: string, token: string, file: string) {
  return new Promise<{ seconds: number; bytes: number; status: number }>((resolve, reject) => {
    const started = performance.now();
    const req = http.get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      pipeline(res, createWriteStream(file)).then(
        () => resolve({ seconds: seconds(started), bytes, status: res.statusCode ?? 0 }),
        reject,
      );
    });
    req.on('error', reject);
  });
}

async function pandasReadSeconds(
  file: string,
): Promise<{ seconds: number; rows: number } | string> {
  if (!existsSync(python)) return `${python} is missing`;
  const script = `
import sys, time, json
try:
    import pandas as pd
except ImportError:
    print(json.dumps({"skip": "no pandas (apt-get install python3-pandas)"})); sys.exit(0)
t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - t, "rows": len(df), "pandas": pd.__version__}))
`;
  const { stdout } = await execFileAsync(python, ['-c', script, file], { maxBuffer: 1 << 20 });
  const out = JSON.parse(stdout) as { seconds: number; rows: number; skip?: string };
  return out.skip ?? out;
}

async function duckdbReadSeconds(file: string): Promise<{ seconds: number; rows: number }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const started = performance.now();
    // Every column of every row into a table: the whole file decoded, not only its footer.
    await connection.run(
      `create table predictions as select * from read_parquet('${file.replaceAll("'", "''")}')`,
    );
    const elapsed = seconds(started);
    const count = await connection.runAndReadAll('select count(*)::integer as n from predictions');
    return { seconds: elapsed, rows: Number(count.getRowObjectsJS()[0]?.n) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function main(): Promise<void> {
  const log = createLogger('warn', 'export-bench');
  const { warehouse, dispose } = await openScratchWarehouse({
    label: 'exportbench',
    serverUrl: env.TEST_DATABASE_URL,
    log,
  });
  const dir = await mkdtemp(join(os.tmpdir(), 'kdlens-export-bench-'));
  const machine = () => ({ cpus: os.availableParallelism(), loadavg: os.loadavg() });
  try {
    const { db } = warehouse;
    const rnd = createRandom(1);
    const labels = Int32Array.from({ length: n }, () => rnd.int(numClasses));
    const group = Array.from({ length: n }, (_, i) => (i % 5 < 2 ? 'a' : 'b'));
    const arms = [
      { role: 'teacher' as const, temperature: null, accuracy: 0.76 },
      { role: 'student' as const, temperature: null, accuracy: 0.69 },
      ...temperatures.map((t) => ({
        role: 'distilled' as const,
        temperature: t,
        accuracy: 0.69 + t / 1000,
      })),
    ];
    let started = performance.now();
    const { experiment, runs } = await recordExperiment(db, {
      name: EXPERIMENT,
      dataset: 'synthetic',
      spec: {},
      runs: arms.flatMap(({ role, temperature }) =>
        seeds.map((seed) => ({ role, temperature, seed, architecture: 'resnet18' })),
      ),
    });
    await recordTestSet(db, experiment.id, {
      numClasses,
      labels,
      exampleIds: Array.from(
        { length: n },
        (_, i) => `ILSVRC2012_val_${String(i + 1).padStart(8, '0')}`,
      ),
      sensitive: { group },
    });
    for (const [i, run] of runs.entries()) {
      const arm = arms.find((a) => a.role === run.role && a.temperature === run.temperature);
      await saveRunResults(
        db,
        run.id,
        syntheticTopKRun(labels, {
          accuracy: arm?.accuracy ?? 0.5,
          seed: 100 + i,
          numClasses,
          k: K,
        }),
        {
          summary: 'defer',
        },
      );
    }
    const rows = runs.length * n;
    const shape = { runs: runs.length, examples: n, classes: numClasses, k: K, rows };
    emit(
      { name: 'seed', ...shape, seconds: seconds(started), server: warehouse.kind, ...machine() },
      `seeded ${runs.length} runs × ${n} examples (top-${K} of ${numClasses}) in ${seconds(started).toFixed(1)} s`,
    );

    // The floor: the same stored arrays read out of the warehouse, nothing formatted or sent.
    started = performance.now();
    for (const run of runs) await loadRunPredictions(db, run.id, { probabilities: true });
    const floor = seconds(started);

    const token = (await createApiToken(db, { name: 'bench', role: 'viewer' })).token;
    // The bench runs with TSX_TSCONFIG_PATH relative to test/; the server starts at the root.
    const server = await startApiProcess({
      DATABASE_URL: warehouse.url,
      TSX_TSCONFIG_PATH: rootTsconfig,
    });
    const base = server.url.replace(/\/graphql$/, '');
    try {
      const files: Partial<Record<string, string>> = {};
      for (const format of formats) {
        const file = join(dir, `predictions.${format}`);
        const atRest = (await server.memory()).rss;
        const resettable = await resetPeak(server.pid);
        let sampledPeak = await statusKb(server.pid, 'VmRSS');
        const sampler = setInterval(() => {
          statusKb(server.pid, 'VmRSS').then(
            (kb) => {
              sampledPeak = Math.max(sampledPeak, kb);
            },
            () => undefined,
          );
        }, 20);
        const url = `${base}/export/${encodeURIComponent(EXPERIMENT)}/predictions.${format}`;
        const result = await downloadTo(url, token, file).finally(() => clearInterval(sampler));
        if (result.status !== 200) {
          throw new Error(
            `${url} answered ${result.status}: ${(await readFile(file, 'utf8')).slice(0, 300)}`,
          );
        }
        const peakKb = resettable ? await statusKb(server.pid, 'VmHWM') : sampledPeak;
        files[format] = file;
        emit(
          {
            name: `http-${format}`,
            ...shape,
            seconds: result.seconds,
            bytes: result.bytes,
            rowsPerSecond: rows / result.seconds,
            mbPerSecond: mb(result.bytes) / result.seconds,
            serverPeakRssMB: (peakKb * 1024) / 1e6,
            serverRssAtRestMB: mb(atRest),
            peakSource: resettable ? 'VmHWM after clear_refs' : 'VmRSS sampled every 20 ms',
            serverHeapLimitMB: heapLimit ?? null,
            floorSeconds: floor,
            overFloor: result.seconds / floor,
            ...machine(),
          },
          `GET predictions.${format}: ${result.seconds.toFixed(1)} s, ${mb(result.bytes).toFixed(0)} MB ` +
            `(${(rows / result.seconds / 1e3).toFixed(0)}k rows/s, ${(mb(result.bytes) / result.seconds).toFixed(1)} MB/s); ` +
            `server peak RSS ${((peakKb * 1024) / 1e6).toFixed(0)} MB (at rest ${mb(atRest).toFixed(0)} MB); ` +
            `${(result.seconds / floor).toFixed(1)} × reading the stored arrays (${floor.toFixed(2)} s)`,
        );
      }

      if (files.csv) {
        const size = (await stat(files.csv)).size;
        const read = await pandasReadSeconds(files.csv);
        if (typeof read === 'string') {
          emit({ name: 'read-csv-pandas', skipped: read }, `pandas read_csv skipped: ${read}`);
        } else {
          if (read.rows !== rows) throw new Error(`pandas read ${read.rows} rows, not ${rows}`);
          emit(
            { name: 'read-csv-pandas', ...shape, bytes: size, ...read, ...machine() },
            `pandas.read_csv: ${read.seconds.toFixed(1)} s for ${mb(size).toFixed(0)} MB`,
          );
        }
      }
      if (files.parquet) {
        const size = (await stat(files.parquet)).size;
        const read = await duckdbReadSeconds(files.parquet);
        if (read.rows !== rows) throw new Error(`DuckDB read ${read.rows} rows, not ${rows}`);
        emit(
          { name: 'read-parquet-duckdb', ...shape, bytes: size, ...read, ...machine() },
          `DuckDB read_parquet (all columns into a table): ${read.seconds.toFixed(1)} s for ${mb(size).toFixed(0)} MB`,
        );
        emit(
          { name: 'read-parquet-pandas', skipped: 'Debian ships neither pyarrow nor fastparquet' },
          'pandas.read_parquet skipped: Debian ships neither pyarrow nor fastparquet',
        );
      }
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await dispose();
  }
}

await main();
