import { setTimeout as sleep } from 'node:timers/promises';
import {
  armLabel,
  type ExperimentSpec,
  type ExperimentStatus,
  type Logger,
  type RunRole,
} from '@kdlens/core';
import { type Database, findExperimentById, listRunsOfExperiments } from '@kdlens/core/db';
import type { ProgressReporter } from './progress-reporter.ts';

const finished: readonly ExperimentStatus[] = ['succeeded', 'failed', 'cancelled'];

/** A unit's bar label: its arm in the paper's words (core's armLabel) and its seed. */
export function unitLabel(run: {
  role: RunRole;
  temperature: number | null;
  seed: number;
}): string {
  return `${armLabel(run)} seed ${run.seed}`;
}

/**
 * Shows the study's units as progress bars, read from the runs table (the units train in other
 * processes, which write their progress there), until the experiment ends or `signal` aborts.
 */
export async function watchStudy(opts: {
  db: Database;
  experimentId: string;
  spec: ExperimentSpec;
  progress: ProgressReporter;
  log: Logger;
  signal?: AbortSignal;
  pollMs?: number;
}): Promise<ExperimentStatus> {
  const bars = new Map<string, ReturnType<ProgressReporter['unit']>>();
  const ended = new Set<string>();
  for (;;) {
    opts.signal?.throwIfAborted();
    const experiment = await findExperimentById(opts.db, opts.experimentId);
    if (!experiment) throw new Error(`experiment ${opts.experimentId} does not exist`);
    const runs = await listRunsOfExperiments(opts.db, [opts.experimentId]);
    for (const run of runs) {
      if (ended.has(run.id) || run.status === 'queued') continue;
      let bar = bars.get(run.id);
      if (bar === undefined) {
        bar = opts.progress.unit(unitLabel(run));
        bars.set(run.id, bar);
      }
      const epochs = run.role === 'teacher' ? opts.spec.teacher.epochs : opts.spec.student.epochs;
      bar.update({
        fraction: run.progress,
        epoch: run.epoch,
        epochs,
        loss: run.loss ?? Number.NaN,
        imagesPerSec: run.imagesPerSec ?? 0,
      });
      if (run.status !== 'running') {
        ended.add(run.id);
        bar.done(
          run.status === 'succeeded'
            ? `test accuracy ${((run.accuracy ?? 0) * 100).toFixed(1)}%`
            : `${run.status}${run.error ? `: ${run.error}` : ''}`,
        );
      }
    }
    if (finished.includes(experiment.status)) return experiment.status;
    await sleep(opts.pollMs ?? 500, undefined, { signal: opts.signal });
  }
}
