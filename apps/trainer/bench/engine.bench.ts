// Training / inference throughput of the study's image models per tfjs backend. Run with
//   npm run bench -w @kdlens/trainer        (or: cd apps/trainer && node --import tsx bench/engine.bench.ts)
// JSON lines on stdout, a human summary on stderr:
//   {"bench":"engine",...}                   machine and load average (these machines are shared)
//   {"model","backend","batch","trainImagesPerSec","inferImagesPerSec","gflops",...}
//                                            one per model × backend; gflops = achieved training
//                                            GFLOP/s (3 × forward conv+dense FLOPs per image)
//   {"backend","available":false,"reason"}   a backend this machine cannot initialise
//   {"model","backend","variant",...} + a ratio line: the wasm kernel variants, same run
//   {"model","backend","processes","aggregateTrainImagesPerSec","speedup"}: N worker processes
//                                            (os.availableParallelism()) training at once vs one
//   {"model","engine":"pytorch",...} + {"model","kdlensOverPytorch"}: the same models in PyTorch
//                                            on one thread (bench/pytorch_models.py), when python3
//                                            has torch (Debian: python3-torch); skipped otherwise.
//                                            trainCpu is the ratio of images per CPU-second (each
//                                            process's own user + system time), the figure that
//                                            holds up when other processes share the cores
//   {"model","interleaved":{...}}            with BENCH_ROUNDS=n: n rounds of a turn of ours and a
//                                            turn of PyTorch's (BENCH_SECONDS each) and the
//                                            median, least and greatest of the rounds' ratios
// Environment: BENCH_BACKENDS=wasm,cpu (default: every backend, in auto's order),
// BENCH_SECONDS (target seconds per measurement, default 4; at most 10 steps per second of it),
// BENCH_ROUNDS (default 0: alternating rounds with PyTorch, see above; needs python3 with torch),
// BENCH_VARIANTS=fast,wasm-kernels,js,baseline (wasm kernel variants for the reference CNN, default fast,wasm-kernels,baseline;
// wasm-kernels = without the native convolution addon, which the header's convKernels names). --profile adds per-kernel
// ms per training step for the reference CNN on wasm. BENCH_SMOKE=1 (CI's `npm run bench:smoke`):
// one step of batch 8 (no warm-up) per model and variant, a 0.05 s inference loop and 2
// steps per worker, so every path runs end to end in seconds; the header line says "smoke":true.
import { execFile, fork, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { autoOrder, type ConcreteBackend, initBackend } from '../src/engine/backend.ts';
import { nativeKernelsStatus, setNativeConvKernels } from '../src/engine/kernels/native-addon.ts';
import {
  useWasmConv2DBackpropFilterImpl,
  type WasmConv2DBackpropFilterImpl,
} from '../src/engine/kernels/wasm-conv2d-backprop-filter.ts';
import { forwardMacs, trainingFlopsPerImage } from '../src/engine/models/forward-flops.ts';
import type { ArchitectureName } from '../src/engine/models/index.ts';
import {
  installWasmKernelOverrides,
  uninstallWasmKernelOverrides,
} from '../src/engine/register-wasm-kernels.ts';
import { IMAGE_SIZE, syntheticSplit, timedTraining } from './synthetic-training.ts';
import { type WorkerConfig, type WorkerMessage, workerMessageSchema } from './worker-protocol.ts';

const models: readonly ArchitectureName[] = ['reference-cnn', 'resnet20', 'lenet5'];
/**
 * fast: every kernel KDLens has (the native convolutions when built); wasm-kernels: the same
 * without the native addon; js: the JS filter gradient; baseline: the wasm package's kernels.
 */
const variants = ['fast', 'wasm-kernels', 'js', 'baseline'] as const;
type Variant = (typeof variants)[number];

const smoke = process.env.BENCH_SMOKE === '1';
const envSchema = z.object({
  BENCH_BACKENDS: z
    .string()
    .optional()
    .transform((s) => (s === undefined ? [...autoOrder] : s.split(',')))
    .pipe(z.array(z.enum(autoOrder as [ConcreteBackend, ...ConcreteBackend[]]))),
  BENCH_SECONDS: z.coerce.number().positive().default(4),
  BENCH_ROUNDS: z.coerce.number().int().min(0).default(0),
  BENCH_VARIANTS: z
    .string()
    .default('fast,wasm-kernels,baseline')
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(variants))),
});
const env = envSchema.parse(process.env);

interface Plan {
  batch: number;
  minSteps: number;
  maxSteps: number;
  warmup: boolean;
  models: readonly ArchitectureName[];
}

/**
 * The pure-JS cpu backend trains 100-1000× slower than wasm (naive JS conv gradients): one
 * step of 4 images of the two small models gives its order of magnitude in seconds; ResNet-20
 * would take minutes.
 */
function planFor(backend: ConcreteBackend): Plan {
  if (backend === 'cpu') {
    return {
      batch: 4,
      minSteps: 1,
      maxSteps: 1,
      warmup: false,
      models: ['reference-cnn', 'lenet5'],
    };
  }
  return smoke
    ? { batch: 8, minSteps: 1, maxSteps: 1, warmup: false, models }
    : // At most 10 steps per second of BENCH_SECONDS (40 at the default): a longer run measures
      // more steps, past the wasm compiler's background tier-up that the first seconds of a
      // process also spend CPU on.
      {
        batch: 64,
        minSteps: 2,
        maxSteps: Math.max(2, Math.round(10 * env.BENCH_SECONDS)),
        warmup: true,
        models,
      };
}

const INFER_SECONDS = smoke ? 0.05 : 0.5;

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Three significant digits: cpu rates are far below 1, wasm rates in the hundreds. */
function sig(v: number): number {
  return Number.isFinite(v) && v !== 0 ? Number(v.toPrecision(3)) : v;
}

function loadavg(): number[] {
  return os.loadavg().map((v) => round(v, 2));
}

interface Line {
  model: ArchitectureName;
  backend: ConcreteBackend;
  variant?: Variant;
  batch: number;
  steps: number;
  trainImagesPerSec: number;
  /** Images per second of this process's CPU time (user + system), steady-state steps. */
  trainImagesPerCpuSec?: number;
  inferImagesPerSec: number;
  gflops: number;
  forwardMflopsPerImage: number;
  finalLoss: number;
}

/** Images/s of model.predict on one batch, repeated for about INFER_SECONDS after one warm call. */
function inferImagesPerSec(model: tf.LayersModel, batch: number): number {
  const split = syntheticSplit(batch, 7);
  const x = tf.tensor4d(split.images, [batch, IMAGE_SIZE, IMAGE_SIZE, 3]);
  const once = () => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  once();
  let n = 0;
  const t0 = performance.now();
  while (n < 2 || performance.now() - t0 < INFER_SECONDS * 1000) {
    once();
    n++;
  }
  const seconds = (performance.now() - t0) / 1000;
  x.dispose();
  return (n * batch) / seconds;
}

async function measure(
  model: ArchitectureName,
  backend: ConcreteBackend,
  variant?: Variant,
): Promise<Line> {
  const plan = planFor(backend);
  let steps = plan.minSteps;
  if (plan.warmup) {
    // The warm-up step also sizes the run: about BENCH_SECONDS of timed training.
    const warm = await timedTraining(model, plan.batch, 1);
    warm.model.dispose();
    const perStep = Math.max(warm.trainSeconds, 1e-3);
    steps = Math.min(
      plan.maxSteps,
      Math.max(plan.minSteps, Math.round(env.BENCH_SECONDS / perStep)),
    );
  }
  // CPU time per image as well as wall time: on a shared machine the wall clock counts the
  // other processes' turns, CPU time only ours. Two calls (1 and `steps` steps) cancel the
  // per-call set-up (model, data, evaluation): (cpu(steps) − cpu(1)) / (steps − 1) per step.
  let cpuPerStep: number | undefined;
  if (plan.warmup && steps > 1) {
    const before = process.cpuUsage();
    (await timedTraining(model, plan.batch, 1)).model.dispose();
    const one = process.cpuUsage(before);
    cpuPerStep = -(one.user + one.system) / 1e6;
  }
  const cpuBefore = process.cpuUsage();
  const run = await timedTraining(model, plan.batch, steps);
  const cpuRun = process.cpuUsage(cpuBefore);
  if (cpuPerStep !== undefined) {
    cpuPerStep = (cpuPerStep + (cpuRun.user + cpuRun.system) / 1e6) / (steps - 1);
  }
  try {
    // One MAC = 2 FLOPs; training ≈ 3 × forward (input and weight gradients).
    const forwardFlops = 2 * forwardMacs(run.model).total;
    return {
      model,
      backend,
      ...(variant === undefined ? {} : { variant }),
      batch: plan.batch,
      steps,
      trainImagesPerSec: sig(run.imagesPerSec),
      ...(cpuPerStep === undefined || cpuPerStep <= 0
        ? {}
        : { trainImagesPerCpuSec: sig(plan.batch / cpuPerStep) }),
      inferImagesPerSec: sig(inferImagesPerSec(run.model, plan.batch)),
      gflops: sig((run.imagesPerSec * trainingFlopsPerImage(run.model)) / 1e9),
      forwardMflopsPerImage: round(forwardFlops / 1e6, 2),
      finalLoss: round(run.finalLoss, 4),
    };
  } finally {
    run.model.dispose();
  }
}

function useVariant(v: Variant): void {
  const impl: WasmConv2DBackpropFilterImpl = v === 'fast' || v === 'wasm-kernels' ? 'fast' : 'js';
  useWasmConv2DBackpropFilterImpl(impl);
  setNativeConvKernels(v === 'fast');
  if (v === 'baseline') uninstallWasmKernelOverrides();
  else installWasmKernelOverrides();
}

/** The wasm kernel work measured against the old kernels in the same run (reference CNN). */
async function compareVariants(): Promise<void> {
  const rates = new Map<Variant, number>();
  for (const v of env.BENCH_VARIANTS) {
    if (v === 'fast') continue; // measured with the models above
    useVariant(v);
    const line = await measure('reference-cnn', 'wasm', v);
    rates.set(v, line.trainImagesPerSec);
    console.log(JSON.stringify(line));
  }
  useVariant('fast');
  const fast = await measure('reference-cnn', 'wasm', 'fast');
  console.log(JSON.stringify(fast));
  const ratio = (v: Variant) => {
    const other = rates.get(v);
    return other === undefined ? undefined : round(fast.trainImagesPerSec / other, 2);
  };
  console.log(
    JSON.stringify({
      model: 'reference-cnn',
      backend: 'wasm',
      trainSpeedupFastVsWasmKernels: ratio('wasm-kernels'),
      trainSpeedupFastVsJsFilterGrad: ratio('js'),
      trainSpeedupFastVsBaseline: ratio('baseline'),
    }),
  );
}

const workerScript = fileURLToPath(new URL('./train-worker.ts', import.meta.url));

/** Forks `processes` workers, starts them together once all are warm, and collects results. */
async function trainInWorkers(
  processes: number,
  config: Omit<WorkerConfig, 'seed'>,
): Promise<{ images: number; seconds: number; startedAt: number; endedAt: number }[]> {
  const children = Array.from({ length: processes }, (_, i) =>
    fork(workerScript, [JSON.stringify({ ...config, seed: i + 1 } satisfies WorkerConfig)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
  );
  const next = (child: (typeof children)[number]) =>
    new Promise<WorkerMessage>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`bench worker exited (code ${code}) before reporting`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        const parsed = workerMessageSchema.parse(m);
        if (parsed.type === 'error') reject(new Error(`bench worker: ${parsed.message}`));
        else resolve(parsed);
      });
    });
  try {
    await Promise.all(children.map(next));
    const results = children.map(next);
    for (const child of children) child.send({ type: 'go' });
    return (await Promise.all(results)).map((m) => {
      if (m.type !== 'result') throw new Error(`bench worker sent '${m.type}', expected a result`);
      return { images: m.images, seconds: m.seconds, startedAt: m.startedAt, endedAt: m.endedAt };
    });
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

/**
 * One training unit per process is how runs use several cores; this line is the evidence:
 * N processes' summed images/s over one process's, same script, same run.
 */
async function multiProcess(steps: number): Promise<void> {
  const processes = os.availableParallelism();
  const config = {
    architecture: 'reference-cnn',
    backend: 'wasm',
    batch: planFor('wasm').batch,
    steps,
  } as const;
  const [single] = await trainInWorkers(1, config);
  if (single === undefined) throw new Error('no result from the single worker');
  // Both rates over the wall-clock window from the first worker's start to the last one's end
  // (data set-up included, the same way for one process and for N): per-worker loop times would
  // miss workers that started late and overstate the overlap.
  const windowSeconds = (rs: readonly { startedAt: number; endedAt: number }[]) =>
    (Math.max(...rs.map((r) => r.endedAt)) - Math.min(...rs.map((r) => r.startedAt))) / 1000;
  const singleRate = single.images / windowSeconds([single]);
  const many = processes > 1 ? await trainInWorkers(processes, config) : [single];
  const aggregate = many.reduce((s, r) => s + r.images, 0) / windowSeconds(many);
  console.log(
    JSON.stringify({
      model: 'reference-cnn',
      backend: 'wasm',
      processes,
      batch: config.batch,
      stepsPerProcess: steps,
      singleProcessImagesPerSec: sig(singleRate),
      aggregateTrainImagesPerSec: sig(aggregate),
      perProcessImagesPerSec: many.map((r) => sig(r.images / r.seconds)),
      speedup: round(aggregate / singleRate, 2),
    }),
  );
}

/** ms per training step by kernel name (tf.profile; kernels run synchronously on wasm). */
async function profileKernels(): Promise<void> {
  const steps = 3;
  const byKernel = new Map<string, number>();
  const info = await tf.profile(async () => {
    (await timedTraining('reference-cnn', 64, steps)).model.dispose();
  });
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms / steps);
  }
  const top = [...byKernel.entries()].sort((a, b) => b[1] - a[1]);
  console.log(
    JSON.stringify({
      profile: 'reference-cnn',
      backend: tf.getBackend(),
      totalKernelMsPerStep: round(top.reduce((s, [, ms]) => s + ms, 0)),
      msPerStep: Object.fromEntries(top.slice(0, 15).map(([k, ms]) => [k, round(ms, 2)])),
    }),
  );
}

const pytorchScript = fileURLToPath(new URL('./pytorch_models.py', import.meta.url));
// Debian's python3-torch installs for the system Python, which a pyenv shim may hide.
const python =
  process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/**
 * Our wasm training rate beside PyTorch's on the same models, batch and image size, on one
 * thread (one KDLens worker process trains on one core), measured right after ours.
 */
async function compareWithPytorch(ours: Line[]): Promise<boolean> {
  const models = ours.map((l) => l.model).filter((m) => m === 'reference-cnn' || m === 'lenet5');
  if (models.length === 0) return false;
  const batch = ours[0]?.batch ?? 64;
  const stdout = await new Promise<string | undefined>((resolve) => {
    execFile(
      python,
      [
        pytorchScript,
        String(batch),
        String(IMAGE_SIZE),
        String(smoke ? 0.05 : env.BENCH_SECONDS),
        ...models,
      ],
      { timeout: 600_000 },
      (error, out) => resolve(error ? undefined : out),
    );
  });
  if (stdout === undefined) {
    console.log(
      JSON.stringify({ engine: 'pytorch', available: false, reason: `${python} has no torch` }),
    );
    return false;
  }
  const lineSchema = z.object({
    model: z.string(),
    trainImagesPerSec: z.number(),
    trainImagesPerCpuSec: z.number(),
    inferImagesPerSec: z.number(),
    torch: z.string(),
  });
  for (const text of stdout.trim().split('\n')) {
    const theirs = lineSchema.parse(JSON.parse(text));
    const mine = ours.find((l) => l.model === theirs.model);
    console.log(
      JSON.stringify({
        ...theirs,
        engine: 'pytorch',
        threads: 1,
        batch,
        trainImagesPerSec: sig(theirs.trainImagesPerSec),
        trainImagesPerCpuSec: sig(theirs.trainImagesPerCpuSec),
        inferImagesPerSec: sig(theirs.inferImagesPerSec),
      }),
    );
    if (mine === undefined) continue;
    console.log(
      JSON.stringify({
        model: theirs.model,
        kdlensOverPytorch: {
          train: round(mine.trainImagesPerSec / theirs.trainImagesPerSec, 2),
          ...(mine.trainImagesPerCpuSec === undefined
            ? {}
            : { trainCpu: round(mine.trainImagesPerCpuSec / theirs.trainImagesPerCpuSec, 2) }),
          infer: round(mine.inferImagesPerSec / theirs.inferImagesPerSec, 2),
        },
        loadavg: loadavg(),
      }),
    );
    process.stderr.write(
      `${theirs.model}: wasm ${mine.trainImagesPerSec} train img/s vs PyTorch ${sig(theirs.trainImagesPerSec)} on one thread (×${round(mine.trainImagesPerSec / theirs.trainImagesPerSec, 2)})\n`,
    );
  }
  return true;
}

const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Ours and PyTorch's per round, and the median, least and greatest of their ratios. */
function roundRatios(ours: number[], theirs: number[]) {
  const ratios = ours.map((o, i) => o / (theirs[i] as number)).filter(Number.isFinite);
  if (ratios.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return {
    median: round(median(ratios), 2),
    min: round(Math.min(...ratios), 2),
    max: round(Math.max(...ratios), 2),
  };
}

/**
 * Our wasm training and PyTorch's (one thread, `pytorch_models.py --serve`) taking turns,
 * BENCH_ROUNDS rounds of about BENCH_SECONDS each per model. On a host whose speed drifts by
 * tens of percent within minutes (a shared VM), a measurement of ours and then one of PyTorch's
 * compare two machines; two turns next to each other see nearly the same one, so the median of
 * the rounds' ratios holds up where a single ratio does not.
 */
async function interleaveWithPytorch(models: ArchitectureName[], batch: number): Promise<void> {
  const child = spawn(python, [pytorchScript, '--serve', String(batch), String(IMAGE_SIZE)], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  // A failed start closes stdout, which ends the turns below with "has no torch"; a child that
  // dies leaves our next write to a closed pipe, which the same check reports.
  child.on('error', () => {});
  child.stdin.on('error', () => {});
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const turnSchema = z.object({
    model: z.string(),
    trainImagesPerSec: z.number().positive(),
    trainImagesPerCpuSec: z.number().positive(),
  });
  const theirTurn = async (model: string, seconds: number) => {
    child.stdin.write(`${model} ${seconds}\n`);
    let timer: NodeJS.Timeout | undefined;
    const limit = 60 + 10 * seconds;
    const next = await Promise.race([
      lines.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`PyTorch's ${model} turn took over ${limit} s`)),
          limit * 1000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    if (next.done === true) throw new Error(`${python} ended (no torch, or it died)`);
    return turnSchema.parse(JSON.parse(next.value));
  };
  const seconds = smoke ? 0.05 : env.BENCH_SECONDS;
  try {
    for (const model of models) {
      // Sizes our turn from a warm-up step (capped as measure() caps it), then measures one
      // more 1-step call's CPU, the per-call set-up to subtract as measure() does:
      // cpu per step = (cpu(N steps) − cpu(1 step)) / (N − 1).
      const warm = await timedTraining(model, batch, 1);
      warm.model.dispose();
      const perStep = Math.max(warm.trainSeconds, 1e-3);
      const steps = Math.max(2, Math.min(planFor('wasm').maxSteps, Math.round(seconds / perStep)));
      const before = process.cpuUsage();
      (await timedTraining(model, batch, 1)).model.dispose();
      const one = process.cpuUsage(before);
      const ours = { wall: [] as number[], cpu: [] as number[] };
      const theirs = { wall: [] as number[], cpu: [] as number[] };
      for (let r = 0; r < env.BENCH_ROUNDS; r++) {
        const cpuBefore = process.cpuUsage();
        const run = await timedTraining(model, batch, steps, r + 1);
        const cpu = process.cpuUsage(cpuBefore);
        run.model.dispose();
        const cpuPerStep = (cpu.user + cpu.system - one.user - one.system) / 1e6 / (steps - 1);
        ours.wall.push(run.imagesPerSec);
        // CPU time noise can leave nothing after the subtraction: no CPU figure for the round.
        ours.cpu.push(cpuPerStep > 0 ? batch / cpuPerStep : Number.NaN);
        const turn = await theirTurn(model, seconds);
        theirs.wall.push(turn.trainImagesPerSec);
        theirs.cpu.push(turn.trainImagesPerCpuSec);
      }
      const train = roundRatios(ours.wall, theirs.wall);
      const trainCpu = roundRatios(ours.cpu, theirs.cpu);
      console.log(
        JSON.stringify({
          model,
          interleaved: {
            rounds: env.BENCH_ROUNDS,
            seconds,
            kdlens: ours.wall.map(sig),
            pytorch: theirs.wall.map(sig),
            kdlensPerCpuSec: ours.cpu.map(sig),
            pytorchPerCpuSec: theirs.cpu.map(sig),
            kdlensOverPytorch: { train, trainCpu },
          },
          loadavg: loadavg(),
        }),
      );
      process.stderr.write(
        `${model}, ${env.BENCH_ROUNDS} alternating rounds: wasm over PyTorch on one thread ×${train.median} (${train.min}–${train.max}), per CPU-second ×${trainCpu.median} (${trainCpu.min}–${trainCpu.max})\n`,
      );
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    console.log(JSON.stringify({ engine: 'pytorch', interleaved: false, reason }));
  } finally {
    child.stdin.end();
    child.kill();
  }
}

function summary(lines: Line[]): void {
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  process.stderr.write(
    `\n${'model'.padEnd(14)}${'backend'.padEnd(16)}${pad('batch', 6)}${pad('train img/s', 13)}${pad('infer img/s', 13)}${pad('GFLOP/s', 9)}\n`,
  );
  for (const l of lines) {
    process.stderr.write(
      `${l.model.padEnd(14)}${l.backend.padEnd(16)}${pad(l.batch, 6)}${pad(l.trainImagesPerSec, 13)}${pad(l.inferImagesPerSec, 13)}${pad(l.gflops, 9)}\n`,
    );
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  console.log(
    JSON.stringify({
      bench: 'engine',
      ...(smoke ? { smoke } : {}),
      cpus: os.availableParallelism(),
      loadavg: loadavg(),
      node: process.version,
      convKernels: nativeKernelsStatus(),
    }),
  );
  const lines: Line[] = [];
  let wasmReferenceRate: number | undefined;
  for (const backend of env.BENCH_BACKENDS) {
    try {
      const info = await initBackend(backend);
      if (info.name !== backend) throw new Error(`initialised ${info.name} instead`);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      console.log(JSON.stringify({ backend, available: false, reason }));
      continue;
    }
    if (backend === 'wasm') useVariant('fast');
    for (const model of models) {
      if (!planFor(backend).models.includes(model)) {
        console.log(JSON.stringify({ model, backend, skipped: 'too slow on this backend' }));
        continue;
      }
      const line = await measure(model, backend);
      lines.push(line);
      console.log(JSON.stringify(line));
      if (backend === 'wasm' && model === 'reference-cnn')
        wasmReferenceRate = line.trainImagesPerSec;
    }
    if (backend === 'wasm') {
      const torch = await compareWithPytorch(lines.filter((l) => l.backend === 'wasm'));
      if (torch && env.BENCH_ROUNDS > 0) {
        const compared = models.filter((m) => m === 'reference-cnn' || m === 'lenet5');
        await interleaveWithPytorch(compared, planFor('wasm').batch);
      }
      if (env.BENCH_VARIANTS.some((v) => v !== 'fast')) await compareVariants();
      if (process.argv.includes('--profile')) await profileKernels();
    }
  }
  if (wasmReferenceRate !== undefined) {
    // About BENCH_SECONDS per worker at the single-process rate.
    const steps = smoke ? 2 : Math.max(2, Math.round((env.BENCH_SECONDS * wasmReferenceRate) / 64));
    await multiProcess(steps);
  }
  summary(lines);
  console.log(
    JSON.stringify({
      bench: 'engine',
      seconds: round((performance.now() - t0) / 1000),
      loadavg: loadavg(),
    }),
  );
}

await main();
