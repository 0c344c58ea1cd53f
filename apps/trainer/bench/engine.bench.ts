// Training / inference throughput of the engine's CNNs on a tfjs backend. Run with
//   cd apps/trainer && taskset -c 0 node --import tsx bench/engine.bench.ts [--profile]
// JSON lines, one per model × backend × variant, plus a ratio line per model. Variants:
//   'fast'     – everything on: XNNPACK-backed Conv2DBackpropFilter + the wasm kernel
//                overrides (Conv2DBackpropInput, Tile, Sum/Mean, MaxPoolGrad, Identity)
//   'js'       – the old plain-TypeScript Conv2DBackpropFilter, overrides still on
//   'baseline' – the old JS Conv2DBackpropFilter and the native wasm kernels (= before)
// --profile additionally prints per-kernel times (ms per training step) for the reference CNN.
import * as tf from '@tensorflow/tfjs';
import { buildModel, initBackend } from '../src/engine/index.ts';
import {
  installWasmKernelOverrides,
  uninstallWasmKernelOverrides,
} from '../src/engine/kernels/wasm-overrides.ts';
import {
  useWasmConv2DBackpropFilterImpl,
  type WasmConv2DBackpropFilterImpl,
} from '../src/engine/wasm-conv2d-backprop-filter.ts';

const BATCH = 64;
const WARMUP = 2;
const STEPS = Number(process.env.BENCH_STEPS ?? 10);
const INFER_BATCHES = 5;
const NUM_CLASSES = 10;

/** conv3×3(16, no bias)–BN–ReLU ×2, max-pool 2, conv3×3(32, no bias)–BN–ReLU ×2, GAP, dense 10. */
function referenceCnn(seed: number): tf.LayersModel {
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
    name: 'reference_cnn',
    layers: [
      ...block(16, [32, 32, 3]),
      ...block(16),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      ...block(32),
      ...block(32),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({
        units: NUM_CLASSES,
        kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
      }),
    ],
  });
}

interface ModelSpec {
  name: string;
  imageSize: number;
  build: () => tf.LayersModel;
}

const models: ModelSpec[] = [
  { name: 'reference-cnn', imageSize: 32, build: () => referenceCnn(42) },
  {
    name: 'toy-cnn-teacher',
    imageSize: 16,
    build: () =>
      buildModel('toy-cnn-teacher', { imageSize: 16, numClasses: NUM_CLASSES, seed: 42 }),
  },
];

function syntheticBatch(size: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const n = BATCH * size * size * 3;
  const xs = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    xs[i] = s / 2 ** 32;
  }
  const labels = Int32Array.from({ length: BATCH }, (_, i) => (i * 7 + seed) % NUM_CLASSES);
  return {
    x: tf.tensor4d(xs, [BATCH, size, size, 3]),
    y: tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), NUM_CLASSES).toFloat() as tf.Tensor2D),
  };
}

function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  x: tf.Tensor,
  y: tf.Tensor,
): number {
  return tf.tidy(() => {
    const loss = optimizer.minimize(
      () => {
        const logits = model.apply(x, { training: true }) as tf.Tensor;
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      },
      true,
      model.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    if (loss === null) throw new Error('minimize returned no loss');
    return loss.dataSync()[0] ?? Number.NaN;
  });
}

type Variant = 'fast' | 'js' | 'baseline';

function useVariant(v: Variant): void {
  const impl: WasmConv2DBackpropFilterImpl = v === 'fast' ? 'fast' : 'js';
  useWasmConv2DBackpropFilterImpl(impl);
  if (v === 'baseline') uninstallWasmKernelOverrides();
  else installWasmKernelOverrides();
}

interface Result {
  model: string;
  backend: string;
  variant: Variant;
  batch: number;
  trainImagesPerSec: number;
  inferImagesPerSec: number;
  firstLoss: number;
  lastLoss: number;
}

async function benchModel(spec: ModelSpec, variant: Variant): Promise<Result> {
  useVariant(variant);
  const model = spec.build();
  const optimizer = tf.train.momentum(0.01, 0.9);
  const batches = [1, 2, 3].map((s) => syntheticBatch(spec.imageSize, s));
  const at = (i: number) => batches[i % batches.length] as { x: tf.Tensor4D; y: tf.Tensor2D };
  let firstLoss = Number.NaN;
  let lastLoss = Number.NaN;
  for (let i = 0; i < WARMUP; i++) firstLoss = trainStep(model, optimizer, at(i).x, at(i).y);
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) lastLoss = trainStep(model, optimizer, at(i).x, at(i).y);
  const trainSec = (performance.now() - t0) / 1000;

  tf.tidy(() => (model.predict(at(0).x) as tf.Tensor).dataSync());
  const t1 = performance.now();
  for (let i = 0; i < INFER_BATCHES; i++) {
    tf.tidy(() => (model.predict(at(i).x) as tf.Tensor).dataSync());
  }
  const inferSec = (performance.now() - t1) / 1000;

  for (const b of batches) tf.dispose([b.x, b.y]);
  optimizer.dispose();
  model.dispose();
  return {
    model: spec.name,
    backend: tf.getBackend(),
    variant,
    batch: BATCH,
    trainImagesPerSec: round((STEPS * BATCH) / trainSec),
    inferImagesPerSec: round((INFER_BATCHES * BATCH) / inferSec),
    firstLoss: round(firstLoss, 4),
    lastLoss: round(lastLoss, 4),
  };
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** ms per training step by kernel name (tf.profile; kernels run synchronously on wasm). */
async function profileKernels(spec: ModelSpec): Promise<void> {
  useVariant('fast');
  const model = spec.build();
  const optimizer = tf.train.momentum(0.01, 0.9);
  const { x, y } = syntheticBatch(spec.imageSize, 1);
  trainStep(model, optimizer, x, y);
  const steps = 3;
  const byKernel = new Map<string, number>();
  for (let i = 0; i < steps; i++) {
    const info = await tf.profile(() => {
      trainStep(model, optimizer, x, y);
    });
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms / steps);
    }
  }
  const top = [...byKernel.entries()].sort((a, b) => b[1] - a[1]);
  const total = top.reduce((s, [, ms]) => s + ms, 0);
  console.log(
    JSON.stringify({
      profile: spec.name,
      backend: tf.getBackend(),
      totalKernelMsPerStep: round(total),
      msPerStep: Object.fromEntries(top.slice(0, 15).map(([k, ms]) => [k, round(ms, 2)])),
    }),
  );
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
}

async function main(): Promise<void> {
  const backend = process.env.BENCH_BACKEND === 'cpu' ? 'cpu' : 'wasm';
  await initBackend(backend);
  const variants: Variant[] =
    process.env.BENCH_VARIANTS === undefined
      ? ['fast', 'js', 'baseline']
      : (process.env.BENCH_VARIANTS.split(',') as Variant[]);
  for (const spec of models) {
    const results = new Map<Variant, Result>();
    for (const v of variants) {
      const r = await benchModel(spec, v);
      results.set(v, r);
      console.log(JSON.stringify(r));
    }
    const fast = results.get('fast');
    if (fast !== undefined) {
      const ratio = (v: Variant) => {
        const other = results.get(v);
        return other === undefined
          ? undefined
          : round(fast.trainImagesPerSec / other.trainImagesPerSec, 2);
      };
      console.log(
        JSON.stringify({
          model: spec.name,
          backend: fast.backend,
          trainSpeedupFastVsJsFilterGrad: ratio('js'),
          trainSpeedupFastVsBaseline: ratio('baseline'),
        }),
      );
    }
  }
  if (process.argv.includes('--profile')) {
    for (const spec of models) await profileKernels(spec);
  }
  useVariant('fast');
}

await main();
