import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, type Logger, sanitizeRunError, summarizeError } from '@kdlens/core';
import type { Warehouse } from '@kdlens/core/db';
import {
  enqueueReady,
  type FetchedJob,
  fetchTrainUnitJob,
  openStudyQueue,
  type QueueTimings,
  type StudyQueue,
  trainUnitJob,
  type WorkerScope,
} from '@kdlens/core/queue';
import { type RunUnit, runClaimedUnit } from './run-claimed-unit.ts';

export interface StartWorkersOptions {
  warehouse: Warehouse;
  /** Units trained at once by this process (`kdlens run --local`: the number of cores). */
  concurrency: number;
  runUnit: RunUnit;
  log?: Logger;
  /** Heartbeat, staleness and attempt limits; defaults in defaultQueueTimings. */
  timings?: Partial<QueueTimings>;
  /** How long an idle slot waits before asking for a job again (default 2 s). */
  pollSeconds?: number;
  /**
   * How often this process reconciles the whole queue (requeues units of dead workers, sends
   * jobs that are missing); default 30 s, and once at start.
   */
  reconcileSeconds?: number;
  /** At most one progress write per run per interval (default 500 ms: ≤ 2 writes/s). */
  progressIntervalMs?: number;
  /**
   * Only these experiments' units (`kdlens worker --experiment`): this process fetches and
   * reconciles nothing else. Default: every experiment.
   */
  experimentIds?: readonly string[];
}

export interface Workers {
  /** Written into runs.worker (with a per-claim token). */
  name: string;
  queue: StudyQueue;
  /** Units being trained right now. */
  active(): number;
  /**
   * Stops taking jobs, aborts running units (within one batch) and puts them back in the queue
   * so another worker resumes them from their checkpoint; then closes pg-boss.
   */
  stop(): Promise<void>;
  /**
   * Stops everything without writing anything more, as if the process had been killed: running
   * units' signals abort, their runs stay 'running' until reconciliation finds their heartbeat
   * stale. For tests and fault drills.
   */
  abandon(): Promise<void>;
}

/**
 * Runs `concurrency` worker slots on this machine. Each slot fetches one train-unit job at a
 * time from pg-boss and runs it through runClaimedUnit; the process also reconciles the queue
 * periodically, so a crashed worker's units are picked up again by any live one.
 */
export async function startWorkers(opts: StartWorkersOptions): Promise<Workers> {
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
    throw new RangeError(`concurrency must be an integer >= 1, not ${opts.concurrency}`);
  }
  const log = opts.log ?? createLogger('info', 'kdlens-worker');
  const queue = await openStudyQueue(opts.warehouse, { log, timings: opts.timings });
  const name = `${os.hostname()}:${process.pid}`;
  const pollMs = (opts.pollSeconds ?? 2) * 1000;
  const reconcileMs = (opts.reconcileSeconds ?? 30) * 1000;
  const scope: WorkerScope =
    opts.experimentIds === undefined ? 'all' : { experimentIds: [...opts.experimentIds] };

  let state: 'running' | 'stopping' | 'abandoned' = 'running';
  // Wakes idle slots and the reconciler at once when we stop.
  const halt = new AbortController();
  const units = new Set<{ abort(kind: 'shutdown' | 'abandoned'): void }>();
  const host = {
    queue,
    runUnit: opts.runUnit,
    workerName: name,
    log,
    progressIntervalMs: opts.progressIntervalMs ?? 500,
    track: (unit: { abort(kind: 'shutdown' | 'abandoned'): void }) => {
      // A unit whose claim was still in flight when stop() or abandon() went through the units
      // was not among them: it is told at once instead of running on as if nothing happened.
      if (state !== 'running') unit.abort(state === 'stopping' ? 'shutdown' : 'abandoned');
      units.add(unit);
      return () => units.delete(unit);
    },
    isAbandoned: () => state === 'abandoned',
  };

  const pause = (ms: number) => sleep(ms, undefined, { signal: halt.signal }).catch(() => {});

  const slot = async (index: number): Promise<void> => {
    while (state === 'running') {
      let job: FetchedJob | undefined;
      try {
        job = await fetchTrainUnitJob(queue, scope);
      } catch (error) {
        // The database is briefly unreachable: wait and ask again rather than end the worker.
        log.warn({ err: error, slot: index }, 'could not fetch a job; retrying');
        await pause(pollMs);
        continue;
      }
      if (!job) {
        await pause(pollMs);
        continue;
      }
      try {
        await runClaimedUnit(host, job);
      } catch (error) {
        // A database error around the unit: the run's heartbeat stops and reconciliation
        // requeues it, so the slot logs and carries on rather than dying.
        log.error({ err: error, slot: index, job: job.id }, 'train-unit job failed');
        if (!host.isAbandoned()) {
          const message = sanitizeRunError(summarizeError(error));
          await queue.boss.fail(trainUnitJob.name, job.id, { message }).catch(() => {});
        }
        await pause(pollMs);
      }
    }
  };

  const reconcile = async (): Promise<void> => {
    try {
      const passes =
        scope === 'all'
          ? [enqueueReady(queue)]
          : scope.experimentIds.map((id) => enqueueReady(queue, id));
      for (const r of await Promise.all(passes)) {
        if (r.sent + r.requeued + r.ended > 0) log.info(r, 'queue reconciled');
      }
    } catch (error) {
      log.warn({ err: error }, 'queue reconciliation failed; retrying later');
    }
  };
  const reconciler = async (): Promise<void> => {
    while (state === 'running') {
      await pause(reconcileMs);
      if (state === 'running') await reconcile();
    }
  };

  // The first pass before any slot fetches: a pass that read a run as ready just before this
  // process's own slot took its job would send the job a second time (harmless, but wasted).
  await reconcile();
  const loops = Promise.all([
    reconciler(),
    ...Array.from({ length: opts.concurrency }, (_, i) => slot(i)),
  ]);
  log.info(
    { worker: name, concurrency: opts.concurrency, experiments: opts.experimentIds ?? 'all' },
    'workers started',
  );

  let ending: Promise<void> | undefined;
  const end = (next: 'stopping' | 'abandoned') => {
    ending ??= (async () => {
      state = next;
      halt.abort();
      for (const unit of units) unit.abort(next === 'stopping' ? 'shutdown' : 'abandoned');
      await loops;
      await queue.close();
      log.info({ worker: name }, next === 'stopping' ? 'workers stopped' : 'workers abandoned');
    })();
    return ending;
  };

  return {
    name,
    queue,
    active: () => units.size,
    stop: () => end('stopping'),
    abandon: () => end('abandoned'),
  };
}
