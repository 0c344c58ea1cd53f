// The warehouse at ImageNet scale (issue 6's targets). Run with
//   npm run bench -w @kdlens/core       (or: cd packages/core && node --import tsx bench/warehouse.bench.ts)
// On the embedded PostgreSQL in a temporary KDLENS_HOME, or, when DATABASE_URL is set, in a fresh
// database created on that server and dropped afterwards. JSON lines on stdout, a readable line
// per measurement on stderr:
//   {"bench":"warehouse","name":"ingest",...}      60 runs × 50,000 examples, top-5 of 1000
//                                                  classes, saveRunResults (summary deferred)
//   {"name":"recompute",...}                       recomputeStudySummary over those 60 runs,
//                                                  split into load (SQL + decode) and summarize
//   {"name":"ingest-with-summary",...}             one more saveRunResults with the default
//                                                  in-transaction recompute (a trainer's path)
//   {"name":"encoding",...}                        the same predictions + top-k written as
//                                                  bytea vs int4[]/float4[]: why bytea
// Environment: BENCH_RUNS_PER_ARM (seeds, default 5), BENCH_EXAMPLES (default 50000),
// BENCH_CLASSES (default 1000), BENCH_ENCODING_RUNS (default 5). BENCH_SMOKE=1 (CI's
// `npm run bench:smoke`) makes the defaults tiny (2 seeds, 200 examples, 101 classes, 1 encoding
// run) so the bench runs end to end in seconds; its lines carry "smoke":true.
import os from 'node:os';
import { createRandom, summarizeStudy } from '@kdlens/metrics';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { openScratchWarehouse, recordExperiment, type Warehouse } from '../src/db/index.ts';
import { createLogger } from '../src/log/logger.ts';
import {
  loadStudyInput,
  recomputeStudySummary,
  recordTestSet,
  saveRunResults,
} from '../src/results/index.ts';
import { syntheticTopKRun } from './synthetic-run.ts';

const smoke = process.env.BENCH_SMOKE === '1';
const env = z
  .object({
    DATABASE_URL: z.string().optional(),
    BENCH_RUNS_PER_ARM: z.coerce
      .number()
      .int()
      .min(2)
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
    BENCH_ENCODING_RUNS: z.coerce
      .number()
      .int()
      .min(1)
      .default(smoke ? 1 : 5),
    BENCH_CONCURRENCY: z.coerce.number().int().min(1).default(1),
  })
  .parse(process.env);

const TARGET = { ingest: 10, recompute: 5 } as const;
const K = 5;
const temperatures = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const n = env.BENCH_EXAMPLES;
const numClasses = env.BENCH_CLASSES;
const seeds = Array.from({ length: env.BENCH_RUNS_PER_ARM }, (_, s) => s);

function emit(record: Record<string, unknown>, readable: string): void {
  process.stdout.write(
    `${JSON.stringify({ bench: 'warehouse', ...(smoke ? { smoke } : {}), ...record })}\n`,
  );
  process.stderr.write(`${readable}\n`);
}

const seconds = (since: number) => (performance.now() - since) / 1000;

function open() {
  return openScratchWarehouse({
    label: 'bench',
    serverUrl: env.DATABASE_URL,
    log: createLogger('warn', 'bench'),
  });
}

async function main(): Promise<void> {
  const { warehouse, dispose } = await open();
  const { db } = warehouse;
  try {
    const rnd = createRandom(1);
    const labels = Int32Array.from({ length: n }, () => rnd.int(numClasses));
    const arms = [
      { role: 'teacher' as const, temperature: null, accuracy: 0.76 },
      { role: 'student' as const, temperature: null, accuracy: 0.69 },
      ...temperatures.map((t) => ({
        role: 'distilled' as const,
        temperature: t,
        accuracy: 0.69 + t / 1000,
      })),
    ];
    const { experiment, runs } = await recordExperiment(db, {
      name: 'imagenet-bench',
      dataset: 'synthetic',
      spec: {},
      runs: arms.flatMap(({ role, temperature }) =>
        seeds.map((seed) => ({ role, temperature, seed, architecture: 'resnet18' })),
      ),
    });
    await recordTestSet(db, experiment.id, { numClasses, labels });
    const results = runs.map((run, i) => {
      const arm = arms.find((a) => a.role === run.role && a.temperature === run.temperature);
      return {
        run,
        output: syntheticTopKRun(labels, {
          accuracy: arm?.accuracy ?? 0.5,
          seed: 100 + i,
          numClasses,
          k: K,
        }),
      };
    });
    const examples = { runs: runs.length, examples: n, classes: numClasses, k: K };
    const machine = {
      server: warehouse.kind,
      cpus: os.availableParallelism(),
      load1: os.loadavg()[0],
    };

    // The floor: the same bytes into a bare bytea table, one commit per run, no checks or metrics.
    let started = performance.now();
    await rawInserts(
      warehouse,
      results.map((r) => r.output),
    );
    const floor = seconds(started);

    // Workers finish runs independently, so BENCH_CONCURRENCY > 1 ingests like several workers.
    started = performance.now();
    const queue = [...results];
    await Promise.all(
      Array.from({ length: env.BENCH_CONCURRENCY }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          await saveRunResults(db, next.run.id, next.output, { summary: 'defer' });
        }
      }),
    );
    const ingest = seconds(started);
    const mb = (
      await db.execute<{ mb: number }>(
        sql`select pg_total_relation_size('run_predictions') / 1e6 as mb`,
      )
    ).rows[0]?.mb;
    emit(
      {
        name: 'ingest',
        ...examples,
        ...machine,
        concurrency: env.BENCH_CONCURRENCY,
        seconds: ingest,
        target: TARGET.ingest,
        ratio: ingest / TARGET.ingest,
        rawInsertSeconds: floor,
        overFloor: ingest / floor,
        storedMB: Number(mb),
      },
      `ingest ${runs.length} runs × ${n} × top-${K}: ${ingest.toFixed(2)} s = ` +
        `${(ingest / TARGET.ingest).toFixed(2)} × the ${TARGET.ingest} s target; ` +
        `${(ingest / floor).toFixed(2)} × a bare insert of the same bytes (${floor.toFixed(2)} s); ` +
        `${Number(mb).toFixed(0)} MB stored`,
    );

    started = performance.now();
    const input = await loadStudyInput(db, experiment.id);
    const load = seconds(started);
    if (!input) throw new Error('no study input');
    started = performance.now();
    summarizeStudy(input);
    const summarize = seconds(started);
    started = performance.now();
    const stored = await recomputeStudySummary(db, experiment.id);
    const recompute = seconds(started);
    emit(
      {
        name: 'recompute',
        ...examples,
        ...machine,
        seconds: recompute,
        loadSeconds: load,
        summarizeSeconds: summarize,
        target: TARGET.recompute,
        ratio: recompute / TARGET.recompute,
        significance: stored?.summary.significance.slice(-1),
      },
      `recompute the summary: ${recompute.toFixed(2)} s = ${(recompute / TARGET.recompute).toFixed(2)} × the ${TARGET.recompute} s target (load ${load.toFixed(2)} s + summarizeStudy ${summarize.toFixed(2)} s)`,
    );

    const last = results.at(-1);
    if (last) {
      started = performance.now();
      await saveRunResults(db, last.run.id, last.output);
      const one = seconds(started);
      emit(
        { name: 'ingest-with-summary', ...examples, ...machine, seconds: one },
        `one run saved with the in-transaction recompute: ${one.toFixed(2)} s`,
      );
    }

    await encoding(
      warehouse,
      results.slice(0, env.BENCH_ENCODING_RUNS).map((r) => r.output),
    );
  } finally {
    await dispose();
  }
}

async function rawInserts(warehouse: Warehouse, outputs: ReturnType<typeof syntheticTopKRun>[]) {
  const client = await warehouse.db.$client.connect();
  try {
    await client.query('create table bench_floor (predicted bytea, ids bytea, probs bytea)');
    for (const o of outputs) {
      await client.query('insert into bench_floor values ($1, $2, $3)', [
        bytes(o.predicted),
        bytes(o.probabilities.ids),
        bytes(o.probabilities.values),
      ]);
    }
    await client.query('drop table bench_floor');
  } finally {
    client.release();
  }
}

const bytes = (a: Int32Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The same arrays written as bytea and as int4[] / float4[] (pg sends arrays as text). */
async function encoding(
  warehouse: Warehouse,
  outputs: ReturnType<typeof syntheticTopKRun>[],
): Promise<void> {
  const client = await warehouse.db.$client.connect();
  try {
    await client.query(`create temp table enc_bytea (predicted bytea, ids bytea, probs bytea);
      create temp table enc_array (predicted int4[], ids int4[], probs float4[])`);
    let started = performance.now();
    for (const o of outputs) {
      await client.query('insert into enc_bytea values ($1, $2, $3)', [
        bytes(o.predicted),
        bytes(o.probabilities.ids),
        bytes(o.probabilities.values),
      ]);
    }
    const byteaWrite = seconds(started);
    started = performance.now();
    for (const o of outputs) {
      await client.query('insert into enc_array values ($1, $2, $3)', [
        Array.from(o.predicted),
        Array.from(o.probabilities.ids),
        Array.from(o.probabilities.values),
      ]);
    }
    const arrayWrite = seconds(started);
    started = performance.now();
    await client.query('select predicted, ids, probs from enc_bytea');
    const byteaRead = seconds(started);
    started = performance.now();
    await client.query('select predicted, ids, probs from enc_array');
    const arrayRead = seconds(started);
    emit(
      {
        name: 'encoding',
        runs: outputs.length,
        byteaWrite,
        arrayWrite,
        byteaRead,
        arrayRead,
        writeRatio: arrayWrite / byteaWrite,
        readRatio: arrayRead / byteaRead,
      },
      `encoding, ${outputs.length} runs: write bytea ${byteaWrite.toFixed(2)} s vs int4[]/float4[] ${arrayWrite.toFixed(2)} s (${(arrayWrite / byteaWrite).toFixed(1)}×); read ${byteaRead.toFixed(2)} s vs ${arrayRead.toFixed(2)} s (${(arrayRead / byteaRead).toFixed(1)}×)`,
    );
  } finally {
    client.release();
  }
}

await main();
