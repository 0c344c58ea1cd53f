import { KdlensError, type Logger, type RunSummary } from '@kdlens/core';
import {
  completeRun,
  type Database,
  failRun,
  markRunStarted,
  type RunRow,
  recordExperiment,
  setExperimentStatus,
  updateRunProgress,
} from '@kdlens/core/db';
import { accuracy, classAccuracy } from '@kdlens/metrics';
import type * as tf from '@tensorflow/tfjs';
import type { ProgressReporter } from '../cli/progress.ts';
import {
  type BackendName,
  generateToyShapes,
  initBackend,
  splitToyShapes,
  type TrainUnitResult,
  trainUnit,
} from '../engine/index.ts';
import { type DemoSpec, demoExperiment, demoSpec } from './demo-experiment.ts';

export interface RunDemoOptions {
  db: Database;
  log: Logger;
  backend: BackendName;
  progress: ProgressReporter;
  spec?: DemoSpec;
  signal?: AbortSignal;
}

export interface RunDemoResult {
  experimentId: string;
  /** Runs trained by this call (0 when the warehouse already had every result). */
  trained: number;
}

// Progress rows are for humans watching; a few writes a second is plenty and keeps the
// warehouse out of the training loop's way.
const PROGRESS_WRITE_INTERVAL_MS = 500;

/**
 * Trains whatever runs of the demo study the warehouse lacks and stores their results. Safe to
 * call again: finished runs are kept, the others are trained anew.
 */
export async function runDemo(opts: RunDemoOptions): Promise<RunDemoResult> {
  const spec = opts.spec ?? demoSpec;
  const { experiment, runs } = await recordExperiment(opts.db, demoExperiment(spec));
  const pending = runs.filter((r) => r.status !== 'succeeded');
  if (pending.length === 0) {
    opts.log.info({ experiment: experiment.name }, 'demo experiment already complete');
    return { experimentId: experiment.id, trained: 0 };
  }

  const backend = await initBackend(opts.backend, opts.log);
  opts.log.info({ backend: backend.name, runs: pending.length }, 'training the demo experiment');
  await setExperimentStatus(opts.db, experiment.id, 'running');

  const ds = spec.dataset;
  const data = splitToyShapes(
    generateToyShapes({
      count: ds.count,
      imageSize: ds.imageSize,
      seed: ds.seed,
      colorCorrelation: ds.colorCorrelation,
    }),
    ds.trainCount,
  );

  let trained = 0;
  try {
    for (const seed of spec.seeds) {
      const ofSeed = runs.filter((r) => r.seed === seed);
      const needsTeacher = ofSeed.some((r) => r.status !== 'succeeded' && r.role !== 'student');
      let teacher: tf.LayersModel | undefined;
      try {
        for (const run of ofSeed) {
          if (run.role === 'student' && run.status === 'succeeded') continue;
          if (run.role === 'distilled' && run.status === 'succeeded') continue;
          if (run.role === 'teacher' && !needsTeacher) continue;
          // A finished teacher is trained again from its seed when a distilled run still needs
          // it; its stored result is left alone (same seed and backend give the same weights).
          const record = run.status !== 'succeeded';
          // backend.name, not tf.getBackend(): tfjs-node and tfjs-node-gpu are both 'tensorflow'.
          const result = await trainRun(opts, run, record, backend.name, {
            role: run.role,
            data,
            teacher,
            spec,
          });
          if (record) trained++;
          if (run.role === 'teacher') teacher = result.model;
          else result.model.dispose();
        }
      } finally {
        teacher?.dispose();
      }
    }
  } catch (error) {
    await setExperimentStatus(
      opts.db,
      experiment.id,
      opts.signal?.aborted ? 'cancelled' : 'failed',
    );
    throw error;
  }
  await setExperimentStatus(opts.db, experiment.id, 'succeeded');
  return { experimentId: experiment.id, trained };
}

async function trainRun(
  opts: RunDemoOptions,
  run: RunRow,
  record: boolean,
  backend: string,
  ctx: {
    role: RunRow['role'];
    data: ReturnType<typeof splitToyShapes>;
    teacher: tf.LayersModel | undefined;
    spec: DemoSpec;
  },
): Promise<TrainUnitResult> {
  const label = `${run.role}${run.temperature === null ? '' : ` T=${run.temperature}`} seed ${run.seed}`;
  const bar = opts.progress.unit(record ? label : `${label} (again)`);
  const arm = run.role === 'teacher' ? ctx.spec.teacher : ctx.spec.student;
  if (record) await markRunStarted(opts.db, run.id, backend);

  let lastWrite = 0;
  let write: Promise<void> = Promise.resolve();
  try {
    const result = await trainUnit({
      role: run.role,
      architecture: arm.architecture,
      data: ctx.data,
      epochs: arm.epochs,
      batchSize: ctx.spec.training.batchSize,
      learningRate: ctx.spec.training.learningRate,
      optimizer: ctx.spec.training.optimizer,
      seed: run.seed,
      ...(run.role === 'distilled'
        ? {
            teacher: ctx.teacher,
            temperature: run.temperature ?? undefined,
            alpha: ctx.spec.kd.alpha,
          }
        : {}),
      signal: opts.signal,
      onProgress: (p) => {
        bar.update(p);
        const now = Date.now();
        if (record && now - lastWrite >= PROGRESS_WRITE_INTERVAL_MS) {
          lastWrite = now;
          // Writes are chained so they land in order; the loop does not wait for them.
          write = write.then(() =>
            updateRunProgress(opts.db, run.id, { fraction: p.fraction, epoch: p.epoch }),
          );
        }
      },
    });
    await write;
    if (record) await completeRun(opts.db, run.id, summarize(result, ctx.data.test));
    bar.done(`test accuracy ${(result.accuracy * 100).toFixed(1)}%`);
    return result;
  } catch (error) {
    await write.catch(() => {});
    const message = error instanceof Error ? error.message : String(error);
    if (record) {
      await failRun(opts.db, run.id, opts.signal?.aborted ? 'cancelled' : 'failed', message);
    }
    bar.done(opts.signal?.aborted ? 'cancelled' : 'failed');
    throw error instanceof KdlensError ? error : new KdlensError(`${label} failed: ${message}`);
  }
}

/** The stored summary; every number in it comes from @kdlens/metrics. */
function summarize(
  result: TrainUnitResult,
  test: ReturnType<typeof splitToyShapes>['test'],
): RunSummary {
  const classNames = test.classNames ?? [];
  const perClass = classAccuracy(test.labels, result.predictions, classNames.length);
  return {
    accuracy: accuracy(test.labels, result.predictions),
    classAccuracy: Array.from(perClass, (v) => (Number.isNaN(v) ? null : v)),
    classNames,
    testExamples: test.count,
    trainSeconds: result.trainSeconds,
    imagesPerSec: result.imagesPerSec,
  };
}
