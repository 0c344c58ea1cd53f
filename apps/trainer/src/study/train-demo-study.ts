import os from 'node:os';
import { type BackendName, KdlensError, type Logger, resolveSpec } from '@kdlens/core';
import { listRunsOfExperiments, type Warehouse } from '@kdlens/core/db';
import { queueSettings } from '@kdlens/core/queue';
import { enqueueStudy, experimentOfOtherSpec } from '@kdlens/core/study';
import type { ProgressReporter } from './progress-reporter.ts';
import { trainStudyLocally } from './train-study-locally.ts';

export interface TrainDemoStudyOptions {
  warehouse: Warehouse;
  config: {
    queue: { heartbeatSeconds?: number; staleAfterSeconds?: number };
    /** Where kdlens runs and KDLENS_DATA_ROOTS, to resolve and check the spec's data paths. */
    workDir: string;
    dataRoots: string[];
  };
  log: Logger;
  /** Shows the units' progress while they train (not used when nothing is left to train). */
  progress: ProgressReporter;
  /** A spec file or preset to train instead of the `demo` preset. */
  spec?: string;
  /** KDLENS_BACKEND for the workers (wins over the spec's backend). */
  backend?: BackendName;
  signal?: AbortSignal;
}

export interface DemoStudyResult {
  experimentId: string;
  name: string;
  /** Runs trained by this call (0 when the warehouse already had every result). */
  trained: number;
  /**
   * The warehouse's study of this name was recorded from another spec (usually the preset before
   * a release changed it): it is left as it is, unfinished runs included, and nothing trains.
   */
  otherSpec?: true;
}

/** What to tell someone whose warehouse holds a study of this name recorded from another spec. */
export function otherSpecAdvice(name: string): string {
  return `the warehouse's "${name}" study was recorded from a different spec (an earlier version of this one, or another study of that name); it is kept as it is and nothing was trained. To train this spec, give it another name, or delete the stored study (npx kdlens experiments delete ${name}, which asks first) and run this command again`;
}

/**
 * Trains whatever the warehouse lacks of the demo study (`presets/demo.yaml`) through the job
 * queue, with one local worker process per core. Idempotent, like `kdlens run --local`. A study
 * of the same name recorded from another spec (the preset before a release changed it) is kept,
 * not mixed with this spec's runs.
 */
export async function trainDemoStudy(opts: TrainDemoStudyOptions): Promise<DemoStudyResult> {
  const { spec } = await resolveSpec(opts.spec ?? 'demo', opts.config);
  const stored = await experimentOfOtherSpec(opts.warehouse.db, spec);
  if (stored !== undefined) {
    return { experimentId: stored, name: spec.name, trained: 0, otherSpec: true };
  }
  const { timings } = queueSettings(opts.config);
  const { experimentId } = await enqueueStudy(opts.warehouse, spec, { log: opts.log, timings });
  const runs = await listRunsOfExperiments(opts.warehouse.db, [experimentId]);
  const pending = runs.filter((r) => r.status !== 'succeeded').length;
  if (pending === 0) return { experimentId, name: spec.name, trained: 0 };
  opts.log.info({ experiment: spec.name, runs: pending }, 'training the demo study');
  const status = await trainStudyLocally({
    warehouse: opts.warehouse,
    spec,
    experimentId,
    concurrency: Math.min(pending, os.availableParallelism()),
    log: opts.log,
    progress: opts.progress,
    ...(opts.backend === undefined ? {} : { workerEnv: { KDLENS_BACKEND: opts.backend } }),
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  if (status !== 'succeeded') {
    throw new KdlensError(`the demo study ended ${status}; the web page shows each run's error`);
  }
  return { experimentId, name: spec.name, trained: pending };
}
