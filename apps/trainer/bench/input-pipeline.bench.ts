// npm run bench -w @kdlens/trainer: does the input pipeline keep up with training? JSON lines,
// each with batches/s of the pipeline beside the training steps/s of the model it would feed
// (the demo's toy teacher CNN on the wasm backend, batch 64), measured in the same run.
// BENCH_SMOKE=1 (CI's `npm run bench:smoke`): batch 8 and 2 batches per pipeline, so every
// pipeline runs end to end in seconds; its lines carry "smoke":true.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { imageBatches } from '../src/datasets/batch-stream.ts';
import { ConfinedFiles } from '../src/datasets/confined-files.ts';
import type { ImageSplit } from '../src/datasets/dataset.ts';
import { loadIdxDataset } from '../src/datasets/idx.loader.ts';
import { generateTrifeature } from '../src/datasets/trifeature/index.ts';
import { initBackend, trainUnit } from '../src/engine/index.ts';

const smoke = process.env.BENCH_SMOKE === '1';
const BATCH = smoke ? 8 : 64;
/** How many batches to time: `full`, or 2 in smoke mode. */
const batches = (full: number) => (smoke ? 2 : full);

async function batchesPerSecond(
  run: () => AsyncGenerator<unknown> | Generator<unknown>,
  batches: number,
) {
  const start = performance.now();
  let n = 0;
  for await (const _ of run()) if (++n >= batches) break;
  return n / ((performance.now() - start) / 1000);
}

/** Training steps/s of the toy teacher CNN at this input shape (wasm, batch 64). */
async function trainStepsPerSecond(size: number, channels: number): Promise<number> {
  const count = BATCH * 6;
  const split = {
    images: Float32Array.from(
      { length: count * size * size * channels },
      (_, i) => (i % 255) / 255,
    ),
    labels: Int32Array.from({ length: count }, (_, i) => i % 10),
    count,
    imageSize: size,
    channels,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
  };
  const result = await trainUnit({
    role: 'teacher',
    architecture: 'toy-cnn-teacher',
    data: {
      train: split,
      test: {
        ...split,
        count: BATCH,
        images: split.images.subarray(0, BATCH * size * size * channels),
        labels: split.labels.subarray(0, BATCH),
      },
    },
    epochs: 1,
    batchSize: BATCH,
    learningRate: 0.01,
    seed: 0,
  });
  result.model.dispose();
  return result.imagesPerSec / BATCH;
}

function report(
  pipeline: string,
  figures: Record<string, number | string>,
  batchesPerSec: number,
  stepsPerSec: number,
) {
  console.log(
    JSON.stringify({
      ...(smoke ? { smoke } : {}),
      pipeline,
      ...figures,
      batch: BATCH,
      batchesPerSec: Math.round(batchesPerSec * 10) / 10,
      trainStepsPerSec: Math.round(stepsPerSec * 10) / 10,
      inputOverTraining: Math.round((batchesPerSec / stepsPerSec) * 100) / 100,
      keepsUp: batchesPerSec >= stepsPerSec,
    }),
  );
}

await initBackend('wasm');

const fashion = '/usr/share/datasets/fashion-mnist';
if (existsSync(fashion)) {
  const dataset = await loadIdxDataset({ root: fashion, name: 'fashion-mnist' });
  const train = dataset.splits.train as ImageSplit;
  const rate = await batchesPerSecond(
    () =>
      imageBatches(
        { kind: 'memory', split: train },
        { batchSize: BATCH, shuffleSeed: 1, augment: { padding: 4, seed: 1 } },
      ),
    batches(300),
  );
  report(
    'fashion-mnist (memory, shuffle + crop/flip)',
    { size: 28 },
    rate,
    await trainStepsPerSecond(28, 1),
  );
}

for (const size of [32, 64]) {
  let first = 0;
  const rate = await batchesPerSecond(
    function* () {
      for (;;) {
        yield generateTrifeature({
          count: BATCH,
          size,
          seed: 1,
          correlation: 0.9,
          firstIndex: first,
        });
        first += BATCH;
      }
    },
    batches(size === 32 ? 40 : 15),
  );
  report('trifeature (generated)', { size }, rate, await trainStepsPerSecond(size, 3));
}

// A folder of JPEGs (256 px photos-like gradients) decoded and resized to 64 px on the fly.
const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-bench-jpeg-'));
try {
  const files: string[] = [];
  for (let i = 0; i < BATCH * batches(8); i++) {
    const file = path.join(dir, `${i}.jpg`);
    const raw = Buffer.from(
      Uint8Array.from({ length: 256 * 256 * 3 }, (_, p) => (p * (i + 1)) % 251),
    );
    await sharp(raw, { raw: { width: 256, height: 256, channels: 3 } })
      .jpeg()
      .toFile(file);
    files.push(file);
  }
  const index = {
    files,
    labels: new Int32Array(files.length),
    attributes: {},
    indices: Int32Array.from(files, (_, i) => i),
    within: await ConfinedFiles.of(dir),
  };
  const rate = await batchesPerSecond(
    () =>
      imageBatches(
        { kind: 'files', index, size: 64, concurrency: 4 },
        { batchSize: BATCH, prefetch: 2 },
      ),
    batches(8),
  );
  report(
    'jpeg folder (decode + resize with sharp)',
    { size: 64, sourcePx: 256 },
    rate,
    await trainStepsPerSecond(64, 3),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
