import { randomBytes } from 'node:crypto';
import { type Logger, type RunSummary, sanitizeRunError, summarizeError } from '@kdlens/core';
import {
  type ClaimedRun,
  claimRun,
  enqueueReady,
  type FetchedJob,
  finishRun,
  heartbeatRun,
  type Liveness,
  type RunOutcome,
  type StudyQueue,
  type TrainUnitPayload,
  trainUnitJob,
  type UnitProgress,
  writeRunProgress,
} from '@kdlens/core/queue';
import { createProgressWriter } from './progress-writer.ts';
import { abortKind, UnitAbort } from './unit-abort.ts';

/** The unit a worker claimed: its job and the run row it now owns. */
export interface UnitJob {
  jobId: string;
  payload: TrainUnitPayload;
  run: ClaimedRun;
}

export interface UnitContext {
  /**
   * Aborts when the unit must stop: cancelled, worker shutting down, or the run was taken from
   * this worker. `signal.reason` is a UnitAbort saying which. Check it once per batch.
   */
  signal: AbortSignal;
  /** Call as often as you like (every batch); the row is written at a bounded rate. */
  reportProgress(p: UnitProgress): void;
  /**
   * Heartbeats run on a timer already; call this before and after a long synchronous step
   * (one that blocks the event loop for a while) so the run is not taken for dead.
   */
  heartbeat(): Promise<void>;
  log: Logger;
}

export interface UnitResult {
  /** Stored on the run (validated); omit if the unit stores its results itself. */
  summary?: RunSummary;
}

/** Trains one unit. Throwing fails the run with the error's message (unless it was aborted). */
export type RunUnit = (job: UnitJob, ctx: UnitContext) => Promise<UnitResult>;

/** What a unit needs from the worker that runs it. */
export interface UnitHost {
  queue: StudyQueue;
  runUnit: RunUnit;
  /** `hostname:pid`; each claim appends a random token so every attempt has its own. */
  workerName: string;
  log: Logger;
  progressIntervalMs: number;
  /** Registers the unit so stop() and abandon() can reach it; returns its deregistration. */
  track(unit: { abort(kind: 'shutdown' | 'abandoned'): void }): () => void;
  /** True once the worker was abandoned: from then on nothing is written, as after a crash. */
  isAbandoned(): boolean;
}

/**
 * The train-unit job's handler: claims the run, runs the unit with heartbeats, progress and an
 * AbortSignal, then records how it ended and lets dependent units start. A job whose run is
 * not claimable (finished, cancelled, taken) is completed as a no-op.
 */
export async function runClaimedUnit(host: UnitHost, job: FetchedJob): Promise<void> {
  const { boss, warehouse, timings } = host.queue;
  const db = warehouse.db;
  const parsed = trainUnitJob.payloadSchema.safeParse(job.data);
  if (!parsed.success) {
    await boss.fail(trainUnitJob.name, job.id, {
      message: sanitizeRunError(`bad payload: ${parsed.error.message}`),
    });
    return;
  }
  const payload = parsed.data;
  const token = `${host.workerName}#${randomBytes(3).toString('hex')}`;
  const run = await claimRun(db, payload.runId, token);
  if (!run) {
    await boss.complete(trainUnitJob.name, job.id, { skipped: 'run not claimable' });
    return;
  }
  const log = host.log.child({ run: run.id, role: run.role, seed: run.seed, attempt: run.attempt });

  const controller = new AbortController();
  const abort = (kind: UnitAbort['kind'], message: string) => {
    if (!controller.signal.aborted) controller.abort(new UnitAbort(kind, message));
  };
  const onLiveness = (l: Liveness) => {
    if (l === 'cancel-requested') abort('cancelled', 'cancelled while running');
    else if (l === 'lost') abort('lost', 'the run was taken from this worker (heartbeat stale)');
  };
  // A failed heartbeat is not fatal (the database may blip); staleness decides, not one error.
  const onError = (error: unknown) => log.warn({ err: error }, 'heartbeat/progress write failed');

  const startedAt = Date.now();
  let firstFraction: number | undefined;
  const progress = createProgressWriter({
    intervalMs: host.progressIntervalMs,
    write: (p) => writeRunProgress(db, run, p),
    onLiveness,
    onError,
  });
  let beating: Promise<void> | undefined;
  const heartbeat = (): Promise<void> => {
    if (host.isAbandoned() || abortKind(controller.signal) === 'lost') return Promise.resolve();
    beating ??= heartbeatRun(db, run)
      .then(onLiveness, onError)
      .finally(() => {
        beating = undefined;
      });
    return beating;
  };
  const timer = setInterval(() => void heartbeat(), timings.heartbeatSeconds * 1000);
  const untrack = host.track({
    abort: (kind) => {
      if (kind === 'abandoned') {
        clearInterval(timer);
        progress.close();
      }
      abort(kind, kind === 'shutdown' ? 'the worker is shutting down' : 'the worker was abandoned');
    },
  });

  let outcome: RunOutcome;
  let started = false;
  try {
    // Stopped while claiming: the run goes back to the queue without starting.
    controller.signal.throwIfAborted();
    started = true;
    log.info({ temperature: run.temperature }, 'unit started');
    const result = await host.runUnit(
      { jobId: job.id, payload, run },
      {
        signal: controller.signal,
        heartbeat,
        log,
        reportProgress: (p) => {
          firstFraction ??= p.fraction;
          progress.report({ ...p, etaSeconds: p.etaSeconds ?? eta(p.fraction) });
        },
      },
    );
    outcome = { status: 'succeeded', summary: result.summary };
  } catch (error) {
    // Stored on the run, where every reader sees it, and in pg-boss: a failed statement's values
    // stay out, and so do NUL (which PostgreSQL refuses, leaving the run `running`), control
    // characters and unbounded length.
    const message = sanitizeRunError(summarizeError(error));
    switch (abortKind(controller.signal)) {
      case 'cancelled':
        outcome = { status: 'cancelled', error: 'cancelled while running' };
        break;
      case 'shutdown':
        outcome = started
          ? { status: 'queued', error: 'its worker shut down; it resumes on another' }
          : { status: 'queued', error: 'its worker shut down as it took it', unstarted: true };
        break;
      default:
        outcome = { status: 'failed', error: message };
        if (!controller.signal.aborted) log.error({ err: error }, 'unit failed');
    }
  } finally {
    clearInterval(timer);
    untrack();
  }
  if (host.isAbandoned()) return;
  await progress.flush();
  progress.close();
  await beating;

  // A unit that stores its results itself (saveRunResults) ends the run as succeeded, after
  // which this worker's fenced writes find the row no longer running and report 'lost'. That
  // is the unit's own success, not another attempt's: record the outcome and wake dependents.
  if (abortKind(controller.signal) === 'lost' && outcome.status !== 'succeeded') {
    // Another attempt owns the run now; this job has nothing left to record.
    await boss.complete(trainUnitJob.name, job.id, { lost: true });
    log.warn('unit lost to a newer attempt; its result is discarded');
    return;
  }
  const recorded = await finishRun(db, run, outcome);
  if (outcome.status === 'failed') {
    await boss.fail(trainUnitJob.name, job.id, { message: outcome.error });
  } else {
    await boss.complete(trainUnitJob.name, job.id, { status: outcome.status, recorded });
  }
  log.info({ status: outcome.status, recorded }, 'unit ended');
  // Lets this seed's distilled students start once their teacher succeeded, re-sends a job for
  // a unit put back by a shutdown, and updates the experiment's status.
  await enqueueReady(host.queue, run.experimentId);

  function eta(fraction: number): number | undefined {
    // From this attempt's own pace: a resumed unit starts part-way, so count from there.
    const done = fraction - (firstFraction ?? fraction);
    if (done <= 0) return undefined;
    return (((Date.now() - startedAt) / 1000) * (1 - fraction)) / done;
  }
}
