// Per-kernel profile and throughput of one reference-CNN training step on wasm. Run with
//   cd apps/trainer && taskset -c 0 node --import tsx bench/train-step.profile.ts
// Env: PROFILE_MODEL=sequential|engine (default both): 'sequential' is the plain tf.layers
// network engine.bench.ts builds, 'engine' is buildReferenceCnn (models/reference-cnn.ts).
// PROFILE_STEPS (default 10) timed steps; PROFILE_KERNELS=0 skips the per-kernel table.
// JSON lines: one throughput line per model, one per-kernel line (ms per step, wrapper
// "__op" scopes left out because their kernels are already counted).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/index.ts';
import { setConvFormFilterGrad } from '../src/engine/kernels/conv2d-backprop-filter-conv.ts';
import { buildReferenceCnn } from '../src/engine/models/reference-cnn.ts';

const BATCH = 64;
const SIZE = 32;
const NUM_CLASSES = 10;
const STEPS = Number(process.env.PROFILE_STEPS ?? 10);

/** The same layer stack as engine.bench.ts' referenceCnn (kept in sync by hand). */
function sequentialReferenceCnn(seed: number): tf.LayersModel {
  let i = 0;
  const nextSeed = () => (seed * 1009 + 17 * ++i) >>> 0;
  const block = (filters: number, inputShape?: number[]): tf.layers.Layer[] => [
    tf.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.heNormal({ seed: nextSeed() }),
      ...(inputShape === undefined ? {} : { inputShape }),
    }),
    tf.layers.batchNormalization(),
    tf.layers.reLU(),
  ];
  return tf.sequential({
    layers: [
      ...block(16, [SIZE, SIZE, 3]),
      ...block(16),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      ...block(32),
      ...block(32),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: NUM_CLASSES }),
    ],
  });
}

function batch(seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const xs = new Float32Array(BATCH * SIZE * SIZE * 3);
  let s = seed >>> 0;
  for (let i = 0; i < xs.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    xs[i] = s / 2 ** 32;
  }
  const labels = Int32Array.from({ length: BATCH }, (_, i) => (i * 7 + seed) % NUM_CLASSES);
  return {
    x: tf.tensor4d(xs, [BATCH, SIZE, SIZE, 3]),
    y: tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), NUM_CLASSES).toFloat() as tf.Tensor2D),
  };
}

function step(model: tf.LayersModel, opt: tf.Optimizer, x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => {
    const loss = opt.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
      true,
      model.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    return loss?.dataSync()[0] ?? Number.NaN;
  });
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

async function run(name: string, model: tf.LayersModel): Promise<void> {
  const opt = tf.train.momentum(0.01, 0.9);
  const { x, y } = batch(1);
  step(model, opt, x, y);
  step(model, opt, x, y);
  const times: number[] = [];
  // CPU time of this process as well: on a shared machine wall time mostly measures the load.
  const cpuTimes: number[] = [];
  let loss = Number.NaN;
  for (let i = 0; i < STEPS; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    loss = step(model, opt, x, y);
    const dc = process.cpuUsage(c);
    times.push(performance.now() - t);
    cpuTimes.push((dc.user + dc.system) / 1000);
  }
  const t1 = performance.now();
  for (let i = 0; i < 5; i++) tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  const inferMs = (performance.now() - t1) / 5;
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
  const cpuMedian = cpuTimes[Math.floor(cpuTimes.length / 2)] ?? Number.NaN;
  console.log(
    JSON.stringify({
      model: name,
      medianStepMs: round(median),
      trainImagesPerSec: round((BATCH * 1000) / median),
      medianStepCpuMs: round(cpuMedian),
      trainImagesPerCpuSec: round((BATCH * 1000) / cpuMedian),
      inferImagesPerSec: round((BATCH * 1000) / inferMs),
      loss: round(loss, 4),
    }),
  );
  if (process.env.PROFILE_KERNELS !== '0') {
    const byKernel = new Map<string, { ms: number; n: number }>();
    const reps = 3;
    for (let i = 0; i < reps; i++) {
      const info = await tf.profile(() => {
        step(model, opt, x, y);
      });
      for (const k of info.kernels) {
        if (k.name.endsWith('__op')) continue;
        const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
        const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
        e.ms += ms / reps;
        e.n += 1 / reps;
        byKernel.set(k.name, e);
      }
    }
    const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
    console.log(
      JSON.stringify({
        profile: name,
        kernelMsPerStep: round(rows.reduce((s, [, e]) => s + e.ms, 0)),
        kernels: Object.fromEntries(rows.slice(0, 18).map(([k, e]) => [k, [round(e.ms, 2), e.n]])),
      }),
    );
  }
  tf.dispose([x, y]);
  opt.dispose();
  model.dispose();
}

await initBackend('wasm');
const which = process.env.PROFILE_MODEL;
if (which === undefined || which === 'sequential') {
  await run('sequential', sequentialReferenceCnn(42));
}
if (which === 'im2col') {
  // The engine model with the filter gradient forced through im2col + matmul, for the ratio.
  setConvFormFilterGrad(false);
  await run(
    'engine-im2col',
    buildReferenceCnn({ inputShape: [SIZE, SIZE, 3], numClasses: NUM_CLASSES, seed: 42 }),
  );
  setConvFormFilterGrad(true);
}
if (which === undefined || which === 'engine' || which === 'im2col') {
  await run(
    'engine',
    buildReferenceCnn({ inputShape: [SIZE, SIZE, 3], numClasses: NUM_CLASSES, seed: 42 }),
  );
}
