// A whole study end to end, as a user trains it (`kdlens run <spec> --local`: one worker process
// per core), beside the same recipe written plainly in PyTorch (bench/pytorch_study.py, one
// process with torch's threads on every core) on the very same splits, in the same run. Run with
//   npm run bench -w @kdlens/cli        (or: cd apps/cli && node --import tsx bench/study.bench.ts)
// JSON lines on stdout, a human summary on stderr:
//   {"bench":"study","preset",...,"load1"}      what ran, on what machine, under what load
//   {"engine":"kdlens","arms"}                   per arm, what the overview shows: accuracy and
//                                                each attribute's DPD / EOD (seed means)
//   {"engine":"kdlens","wallSeconds",...}        the study's wall time and, per unit kind (teacher,
//                                                student = NDS, distilled), its units' training
//                                                images/s, seconds and test accuracy
//   {"engine":"kdlens","timeline"}               start-up to the first claim, the tail after
//                                                the last unit, workers' idle seconds, and
//                                                each worker process's units in order
//   {"engine":"pytorch",...}                     the same for PyTorch, when python3 has torch
//                                                (and its arms' accuracy, seed means)
//   {"ratio":...}                                KDLens wall time / PyTorch's (≤ 1: as fast or faster)
// Environment: BENCH_PRESET (default fashion-mnist when its data is installed, else demo) or
// BENCH_SPEC (a spec file); DATABASE_URL (a server to make a scratch database on; default an
// embedded server); BENCH_PYTORCH=0 skips PyTorch; BENCH_SMOKE=1 (CI's bench:smoke) trains the
// demo cut to seconds (1 seed, 1 epoch, 256 images) so every path runs end to end; PYTHON
// (default /usr/bin/python3, where Debian's python3-torch installs, else python3).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  armLabel,
  createLogger,
  type ExperimentSpec,
  loadConfig,
  loadPreset,
  resolveSpec,
} from '@kdlens/core';
import { findExperimentByName, listRunsOfExperiments, openScratchWarehouse } from '@kdlens/core/db';
import { getStudySummary } from '@kdlens/core/results';
import { loadStudyData, type StudyData } from '@kdlens/trainer';
import { z } from 'zod';

const here = path.dirname(fileURLToPath(import.meta.url));
const kdlensBin = path.join(here, '../bin/kdlens.js');
const pytorchScript = path.join(here, 'pytorch_study.py');

const smoke = process.env.BENCH_SMOKE === '1';
const env = z
  .object({
    BENCH_PRESET: z.string().optional(),
    BENCH_SPEC: z.string().optional(),
    BENCH_PYTORCH: z.enum(['0', '1']).default('1'),
    DATABASE_URL: z.string().optional(),
    // Debian's python3-torch installs for the system Python, which a pyenv shim may hide.
    PYTHON: z.string().default(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'),
  })
  .parse(process.env);

const roles = ['teacher', 'student', 'distilled'] as const;
type Role = (typeof roles)[number];

interface KindFigures {
  units: number;
  images: number;
  trainSeconds: number;
  imagesPerSec: number;
  accuracy: number;
  /**
   * The units' wall seconds summed, from claim to `finished_at` (the start of the transaction that
   * stores the results): training, evaluation, scoring and the artifacts, not the results' rows
   * or the study summary after them. KDLens only: PyTorch's units are not timed whole.
   */
  unitSeconds?: number;
}

function emit(record: Record<string, unknown>, readable: string): void {
  process.stdout.write(
    `${JSON.stringify({ bench: 'study', ...(smoke ? { smoke } : {}), ...record })}\n`,
  );
  process.stderr.write(`${readable}\n`);
}

/** The spec to train: a file, a preset, or (smoke) the demo cut to seconds. */
async function benchSpec(): Promise<ExperimentSpec> {
  if (env.BENCH_SPEC !== undefined) return (await resolveSpec(env.BENCH_SPEC, loadConfig())).spec;
  const fashion = '/usr/share/datasets/fashion-mnist';
  const preset = env.BENCH_PRESET ?? (existsSync(fashion) && !smoke ? 'fashion-mnist' : 'demo');
  const spec = await loadPreset(preset);
  if (!smoke) return spec;
  const generator = spec.dataset.generator;
  return {
    ...spec,
    name: `${spec.name}-smoke`,
    dataset: {
      ...spec.dataset,
      ...(generator === undefined
        ? {}
        : { generator: { ...generator, trainCount: 256, testCount: 64 } }),
    },
    teacher: { ...spec.teacher, epochs: 1 },
    student: { ...spec.student, epochs: 1 },
    kd: { ...spec.kd, temperatures: [spec.kd.temperatures[0] ?? 4] },
    seeds: [0],
    evaluation: {
      ...spec.evaluation,
      individualFairness: { ...spec.evaluation.individualFairness, pairs: 100 },
    },
  };
}

function run(command: string, args: string[], extraEnv: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function figures(
  units: {
    role: Role;
    images: number;
    trainSeconds: number;
    accuracy: number;
    unitSeconds?: number;
  }[],
): Record<Role, KindFigures> {
  const out = {} as Record<Role, KindFigures>;
  for (const role of roles) {
    const of = units.filter((u) => u.role === role);
    const images = of.reduce((s, u) => s + u.images, 0);
    const trainSeconds = of.reduce((s, u) => s + u.trainSeconds, 0);
    out[role] = {
      units: of.length,
      images,
      trainSeconds,
      imagesPerSec: trainSeconds > 0 ? images / trainSeconds : 0,
      accuracy: of.reduce((s, u) => s + u.accuracy, 0) / Math.max(1, of.length),
      ...(of.some((u) => u.unitSeconds !== undefined)
        ? { unitSeconds: of.reduce((s, u) => s + (u.unitSeconds ?? 0), 0) }
        : {}),
    };
  }
  return out;
}

/** A run's worker is `host:pid#claim`: the process is the part before the claim's token. */
function workerProcess(worker: string | null): string {
  if (worker === null) return 'unknown';
  const hash = worker.lastIndexOf('#');
  return hash < 0 ? worker : worker.slice(0, hash);
}

/**
 * Where the wall time went besides training: from the spawn to the first claim (process and
 * worker start-up, the queue), from the last unit's end to the exit (stopping the workers), and
 * the seconds the worker processes that trained sat idle between the first claim and the last
 * unit's end (waiting for a teacher, polling, or done while another trained the last unit). A
 * unit's end is its `finished_at`, the start of the transaction that stores its results, so
 * storing them and the study summary after them count as idle (or tail) here. Per worker
 * process, its units in order with their seconds from the spawn. The run timestamps are the
 * database server's clock, the spawn and exit this host's: the same clock for the embedded
 * server and a local one; a server on another host shifts start-up and tail by its offset.
 */
function timeline(
  runs: {
    role: Role;
    seed: number;
    temperature: number | null;
    worker: string | null;
    startedAt: Date | null;
    finishedAt: Date | null;
  }[],
  spawnedAt: number,
  exitedAt: number,
) {
  const timed = runs.flatMap((r) =>
    r.startedAt && r.finishedAt
      ? [{ ...r, start: r.startedAt.getTime(), end: r.finishedAt.getTime() }]
      : [],
  );
  if (timed.length === 0) {
    return { startupSeconds: 0, tailSeconds: 0, idleWorkerSeconds: 0, workers: {} };
  }
  const first = Math.min(...timed.map((r) => r.start));
  const last = Math.max(...timed.map((r) => r.end));
  const byWorker = new Map<string, typeof timed>();
  for (const r of [...timed].sort((a, b) => a.start - b.start)) {
    const w = workerProcess(r.worker);
    byWorker.set(w, [...(byWorker.get(w) ?? []), r]);
  }
  const busy = timed.reduce((s, r) => s + (r.end - r.start), 0);
  const s = (ms: number) => Number((ms / 1000).toFixed(1));
  return {
    startupSeconds: s(first - spawnedAt),
    tailSeconds: s(exitedAt - last),
    idleWorkerSeconds: s(byWorker.size * (last - first) - busy),
    workers: Object.fromEntries(
      [...byWorker.values()].map((units, i) => [
        `worker ${i + 1}`,
        units.map((r) => ({
          unit: `${armLabel(r)} s${r.seed}`,
          from: s(r.start - spawnedAt),
          to: s(r.end - spawnedAt),
        })),
      ]),
    ),
  };
}

const describe = (f: Record<Role, KindFigures>) =>
  roles
    .map(
      (r) =>
        `${r} ${f[r].imagesPerSec.toFixed(0)} img/s, ${f[r].trainSeconds.toFixed(1)} s${f[r].unitSeconds === undefined ? '' : ` (units ${f[r].unitSeconds.toFixed(1)} s, claim to results, summed)`}, accuracy ${(100 * f[r].accuracy).toFixed(1)} %`,
    )
    .join('; ');

/** The study's splits as raw little-endian arrays, and its recipe, for pytorch_study.py. */
async function writeForPytorch(dir: string, spec: ExperimentSpec, data: StudyData): Promise<void> {
  const files: [string, Float32Array | Int32Array][] = [];
  if (!('images' in data.train)) throw new Error('the PyTorch reference trains image studies only');
  const shape = [data.train.imageSize, data.train.imageSize, data.train.channels ?? 3] as const;
  for (const [name, split] of [
    ['train', data.train],
    ['test', data.test],
    ...(data.val === undefined ? [] : [['val', data.val] as const]),
  ] as const) {
    if (!('images' in split)) throw new Error('the PyTorch reference trains image studies only');
    files.push([
      `${name}_x.f32`,
      split.images.subarray(0, split.count * shape[0] * shape[0] * shape[2]),
    ]);
    files.push([`${name}_y.i32`, split.labels]);
  }
  for (const [name, values] of files) {
    await writeFile(
      path.join(dir, name),
      new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    );
  }
  const arm = (a: ExperimentSpec['teacher']) => ({
    architecture: a.architecture,
    epochs: a.epochs,
    batchSize: a.batchSize,
    learningRate: a.learningRate,
    optimizer: a.optimizer,
    schedule: a.schedule,
    ...(a.options.width === undefined ? {} : { width: a.options.width }),
  });
  await writeFile(
    path.join(dir, 'recipe.json'),
    JSON.stringify({
      threads: os.availableParallelism(),
      shape,
      train: data.train.count,
      test: data.test.count,
      val: data.val?.count ?? 0,
      classes: data.numClasses,
      teacher: arm(spec.teacher),
      student: arm(spec.student),
      temperatures: spec.kd.temperatures,
      alpha: spec.kd.alpha,
      seeds: spec.seeds,
    }),
  );
}

/**
 * Why pytorch_study.py cannot train this spec's recipe as written, or undefined when it can: it
 * knows the two image models of the presets, Adam and SGD, and constant or cosine schedules
 * without warm-up, without augmentation. A different recipe would compare unlike things.
 */
function pytorchRefusal(spec: ExperimentSpec, data: StudyData): string | undefined {
  if (!('images' in data.train)) return 'it trains image studies only';
  if (spec.dataset.augment !== undefined) return 'it does not augment';
  for (const [arm, a] of [
    ['teacher', spec.teacher],
    ['student', spec.student],
  ] as const) {
    if (a.architecture !== 'reference-cnn' && a.architecture !== 'lenet5') {
      return `it has no ${a.architecture} (${arm})`;
    }
    if (a.optimizer.name !== 'adam' && a.optimizer.name !== 'sgd') {
      return `it trains with Adam or SGD only (${arm}.optimizer)`;
    }
    if (a.schedule.name !== 'constant' && a.schedule.name !== 'cosine') {
      return `it has no ${a.schedule.name} schedule (${arm}.schedule)`;
    }
    // Constant and cosine rates are the same in either scheduleUnit (it converts milestones and
    // warm-up, which pytorch_study.py does not take).
    if (Object.keys(a.schedule).some((k) => !['name', 'minLr'].includes(k))) {
      return `it follows schedules without warm-up (${arm}.schedule)`;
    }
    if (Object.keys(a.options).some((k) => k !== 'width')) {
      return `it knows no architecture options but reference-cnn's width (${arm}.options)`;
    }
    if (a.pretrained !== undefined)
      return `it does not load pretrained weights (${arm}.pretrained)`;
  }
  return undefined;
}

async function hasTorch(): Promise<boolean> {
  const probe = await run(env.PYTHON, ['-c', 'import torch'], {}).catch(() => undefined);
  return probe?.code === 0;
}

async function main(): Promise<void> {
  const spec = await benchSpec();
  const config = loadConfig();
  const log = createLogger('warn', 'bench');
  emit(
    {
      preset: spec.name,
      seeds: spec.seeds.length,
      temperatures: spec.kd.temperatures,
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model,
      load1: os.loadavg()[0],
      node: process.version,
    },
    `study bench: ${spec.name}, ${spec.seeds.length} seeds, T = ${spec.kd.temperatures.join(', ')}, ${os.availableParallelism()} cores, load ${os.loadavg()[0]?.toFixed(2)}`,
  );
  const scratch = await openScratchWarehouse({
    label: 'studybench',
    serverUrl: env.DATABASE_URL,
    log,
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-study-bench-'));
  try {
    const specFile = path.join(dir, 'spec.json');
    await writeFile(specFile, JSON.stringify(spec));
    const started = performance.now();
    const spawnedAt = Date.now();
    const cli = await run(process.execPath, [kdlensBin, 'run', specFile, '--local'], {
      DATABASE_URL: scratch.warehouse.url,
      LOG_LEVEL: 'warn',
      KDLENS_NO_PROGRESS: '1',
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const exitedAt = Date.now();
    if (cli.code !== 0)
      throw new Error(`kdlens run failed (${cli.code}): ${cli.stderr.slice(-2000)}`);
    const experiment = await findExperimentByName(scratch.warehouse.db, spec.name);
    if (!experiment) throw new Error(`the study ${spec.name} was not recorded`);
    const runs = await listRunsOfExperiments(scratch.warehouse.db, [experiment.id]);
    const data = await loadStudyData(spec, config.dataRoots);
    const kdlens = figures(
      runs.map((r) => {
        const arm = r.role === 'teacher' ? spec.teacher : spec.student;
        return {
          role: r.role,
          images: data.train.count * arm.epochs,
          trainSeconds: r.summary?.trainSeconds ?? 0,
          accuracy: r.summary?.accuracy ?? 0,
          // The last attempt's: a retried unit's claim resets started_at.
          ...(r.startedAt && r.finishedAt
            ? { unitSeconds: (r.finishedAt.getTime() - r.startedAt.getTime()) / 1000 }
            : {}),
        };
      }),
    );
    const cached = runs.filter((r) => r.teacherOutputs === 'cached').length;
    // Per arm, what the overview shows: accuracy and each attribute's DPD / EOD (seed means).
    const stored = await getStudySummary(scratch.warehouse.db, experiment.id);
    const arms = (stored?.summary.arms ?? []).map((arm) => {
      const fairness: Record<string, { dpd: number; eod: number } | undefined> = {};
      for (const g of stored?.summary.groupFairness ?? []) {
        const a = g.arms.find((x) => x.role === arm.role && x.temperature === arm.temperature);
        fairness[g.attribute] = a && { dpd: a.dpd.mean, eod: a.eod.mean };
      }
      return { arm: armLabel(arm), accuracy: arm.accuracy.mean, fairness };
    });
    const fairnessText = (f: Record<string, { dpd: number; eod: number } | undefined>) =>
      Object.entries(f)
        .map(([k, v]) => `, ${k} DPD ${v?.dpd.toFixed(3)} EOD ${v?.eod.toFixed(3)}`)
        .join('');
    emit(
      { engine: 'kdlens', arms },
      arms
        .map(
          (a) =>
            `  ${a.arm}: accuracy ${(100 * a.accuracy).toFixed(1)} %${fairnessText(a.fairness)}`,
        )
        .join('\n'),
    );
    emit(
      {
        engine: 'kdlens',
        wallSeconds,
        units: runs.length,
        cachedTeacherUnits: cached,
        kinds: kdlens,
      },
      `kdlens:  ${wallSeconds.toFixed(1)} s wall (${runs.length} units, ${cached} distilled from cached teacher logits); ${describe(kdlens)}`,
    );

    const line = timeline(runs, spawnedAt, exitedAt);
    emit(
      { engine: 'kdlens', timeline: line },
      `kdlens timeline: first claim at ${line.startupSeconds.toFixed(1)} s, last unit done ${line.tailSeconds.toFixed(1)} s before exit, workers idle ${line.idleWorkerSeconds.toFixed(1)} s between them\n${Object.entries(
        line.workers,
      )
        .map(
          ([w, units]) => `  ${w}: ${units.map((u) => `${u.unit} ${u.from}–${u.to}`).join(', ')}`,
        )
        .join('\n')}`,
    );

    if (env.BENCH_PYTORCH === '0') {
      emit(
        { engine: 'pytorch', available: false, reason: 'BENCH_PYTORCH=0' },
        'pytorch: skipped (BENCH_PYTORCH=0)',
      );
      return;
    }
    if (!(await hasTorch())) {
      emit({ engine: 'pytorch', available: false }, 'pytorch: python3 has no torch; skipped');
      return;
    }
    const refusal = pytorchRefusal(spec, data);
    if (refusal !== undefined) {
      emit(
        { engine: 'pytorch', available: false, reason: refusal },
        `pytorch: not the same recipe, so not run: ${refusal}`,
      );
      return;
    }
    await writeForPytorch(dir, spec, data);
    const py = await run(env.PYTHON, [pytorchScript, dir], {});
    if (py.code !== 0)
      throw new Error(`pytorch_study.py failed (${py.code}): ${py.stderr.slice(-2000)}`);
    const result = z
      .object({
        torch: z.string(),
        threads: z.number(),
        wallSeconds: z.number(),
        units: z.array(
          z.object({
            role: z.enum(roles),
            temperature: z.number().optional(),
            images: z.number(),
            trainSeconds: z.number(),
            accuracy: z.number(),
          }),
        ),
      })
      .parse(JSON.parse(py.stdout));
    const pytorch = figures(result.units);
    // Per arm as for KDLens above (seed means), so the two engines' temperatures line up.
    const byArm = new Map<string, number[]>();
    for (const u of result.units) {
      const arm = armLabel({ role: u.role, temperature: u.temperature ?? null });
      byArm.set(arm, [...(byArm.get(arm) ?? []), u.accuracy]);
    }
    const pytorchArms = [...byArm].map(([arm, accuracies]) => ({
      arm,
      accuracy: accuracies.reduce((sum, a) => sum + a, 0) / accuracies.length,
    }));
    emit(
      { engine: 'pytorch', arms: pytorchArms },
      pytorchArms.map((a) => `  ${a.arm}: accuracy ${(100 * a.accuracy).toFixed(1)} %`).join('\n'),
    );
    emit(
      {
        engine: 'pytorch',
        torch: result.torch,
        threads: result.threads,
        wallSeconds: result.wallSeconds,
        kinds: pytorch,
      },
      `pytorch: ${result.wallSeconds.toFixed(1)} s wall (torch ${result.torch}, ${result.threads} threads); ${describe(pytorch)}`,
    );
    // Not like for like in everything: KDLens's time also holds worker start-up, the queue,
    // stored predictions and the study summary after every unit; PyTorch's is one process.
    emit(
      { ratio: wallSeconds / result.wallSeconds, load1: os.loadavg()[0] },
      `kdlens / pytorch wall time: ${(wallSeconds / result.wallSeconds).toFixed(2)} (load now ${os.loadavg()[0]?.toFixed(2)}; KDLens's includes worker start-up, the queue and storing results)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    await scratch.dispose();
  }
}

await main();
