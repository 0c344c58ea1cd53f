// How much the warehouse grows per 1M stored predictions (docs/deploy.md, Sizing). Run with
//   cd packages/core && node --import tsx bench/warehouse-size.bench.ts
// On the embedded PostgreSQL in a temporary folder or, when DATABASE_URL is set, in a fresh
// database created on that server and dropped afterwards. Imports studies of exactly 1M
// predictions (runs × test examples) in three shapes and reports the on-disk growth of every
// table the import writes (pg_total_relation_size: heap, TOAST and indexes), after VACUUM:
//   labels only        10 classes, 100,000 examples × 10 runs, no probabilities
//   dense 10 classes   the same with softmax probabilities (10 float32 per prediction)
//   1000 classes       50,000 examples × 20 runs, no probabilities (per-class arrays are 1000 wide)
// One JSON line per shape on stdout ({"bench":"warehouse-size", ...}), a readable one on stderr.
// BENCH_SMOKE=1 makes the studies 100 times smaller (the bytes are still scaled to 1M).

import os from 'node:os';
import { createRandom } from '@kdlens/metrics';
import { openScratchWarehouse } from '../src/db/index.ts';
import type { ImportedStudy } from '../src/import/assemble-import.ts';
import { writeImportedStudy } from '../src/import/write-import.ts';
import { createLogger } from '../src/log/logger.ts';

const smoke = process.env.BENCH_SMOKE === '1';
const scale = smoke ? 0.01 : 1;
const TABLES = [
  'experiments',
  'runs',
  'experiment_test_sets',
  'test_set_attributes',
  'run_predictions',
  'run_class_accuracy',
  'run_group_metrics',
  'study_summaries',
];

function study(examples: number, runs: number, numClasses: number, dense: boolean): ImportedStudy {
  const rnd = createRandom(11);
  const labels = Int32Array.from({ length: examples }, () => rnd.int(numClasses));
  return {
    testSet: {
      ids: Array.from({ length: examples }, (_, i) => `ex_${i}`),
      labels,
      numClasses,
      classNames: Array.from({ length: numClasses }, (_, c) => `class_${c}`),
      sensitive: {},
    },
    runs: Array.from({ length: runs }, (_, r) => {
      const role =
        r === 0 ? ('teacher' as const) : r === 1 ? ('student' as const) : ('distilled' as const);
      const predicted = Int32Array.from(labels, (y) =>
        rnd.next() < 0.8 ? y : rnd.int(numClasses),
      );
      let probs: Float32Array | null = null;
      if (dense) {
        probs = new Float32Array(examples * numClasses);
        for (let i = 0; i < examples; i++) {
          // Softmax-like and as incompressible as a real model's: random masses, the predicted
          // class the largest, normalised to 1.
          const top = predicted[i] as number;
          let sum = 0;
          for (let c = 0; c < numClasses; c++) {
            const mass = c === top ? 1 + rnd.next() : rnd.next() ** 4;
            probs[i * numClasses + c] = mass;
            sum += mass;
          }
          for (let c = 0; c < numClasses; c++) {
            probs[i * numClasses + c] = (probs[i * numClasses + c] as number) / sum;
          }
        }
      }
      return {
        file: `run-${r}`,
        role,
        temperature: role === 'distilled' ? r : null,
        seed: 0,
        architecture: 'mlp',
        predicted,
        probs,
      };
    }),
  };
}

async function main(): Promise<void> {
  const { warehouse, dispose } = await openScratchWarehouse({
    label: 'bench_size',
    serverUrl: process.env.DATABASE_URL,
    log: createLogger('warn', 'bench'),
  });
  const sizes = async () => {
    await warehouse.db.$client.query('vacuum');
    const { rows } = await warehouse.db.$client.query<{ bytes: string }>(
      `select sum(pg_total_relation_size(t::regclass))::text as bytes from unnest($1::text[]) t`,
      [TABLES],
    );
    return Number(rows[0]?.bytes ?? 0);
  };
  try {
    const shapes = [
      { name: 'labels only', examples: 100_000, runs: 10, classes: 10, dense: false },
      { name: 'dense 10 classes', examples: 100_000, runs: 10, classes: 10, dense: true },
      { name: '1000 classes', examples: 50_000, runs: 20, classes: 1000, dense: false },
    ];
    for (const [i, shape] of shapes.entries()) {
      const examples = Math.round(shape.examples * scale);
      const predictions = examples * shape.runs;
      const before = await sizes();
      const started = performance.now();
      await writeImportedStudy(
        warehouse.db,
        { experiment: `size-${i}`, dataset: 'synthetic', files: [] },
        study(examples, shape.runs, shape.classes, shape.dense),
      );
      const seconds = (performance.now() - started) / 1000;
      const grown = (await sizes()) - before;
      const perMillion = (grown * 1_000_000) / predictions;
      process.stdout.write(
        `${JSON.stringify({
          bench: 'warehouse-size',
          ...(smoke ? { smoke } : {}),
          name: shape.name,
          predictions,
          runs: shape.runs,
          classes: shape.classes,
          bytes: grown,
          bytesPerMillionPredictions: Math.round(perMillion),
          importSeconds: Number(seconds.toFixed(2)),
          load1: Number(os.loadavg()[0]?.toFixed(2)),
        })}\n`,
      );
      process.stderr.write(
        `${shape.name}: ${predictions} predictions (${shape.runs} runs × ${examples}) took ${(grown / 2 ** 20).toFixed(1)} MiB = ${(perMillion / 2 ** 20).toFixed(1)} MiB per 1M predictions (import ${seconds.toFixed(1)} s)\n`,
      );
    }
  } finally {
    await dispose();
  }
}

await main();
