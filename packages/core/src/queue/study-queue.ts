import PgBoss from 'pg-boss';
import type { Warehouse } from '../db/warehouse.ts';
import { KdlensError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { PG_BOSS_SCHEMA } from './queue-names.ts';
import { trainUnitJob } from './train-unit.job.ts';

/** A started pg-boss on the warehouse's database, plus the warehouse it serves. */
export interface StudyQueue {
  warehouse: Warehouse;
  boss: PgBoss;
  timings: QueueTimings;
  /** Stops pg-boss and closes its pool; the warehouse stays open (its owner closes it). */
  close(): Promise<void>;
}

/** How liveness is judged; every process sharing a warehouse should use the same values. */
export interface QueueTimings {
  /** A working unit's worker writes runs.heartbeat_at (and polls for cancel) this often. */
  heartbeatSeconds: number;
  /** A running run whose heartbeat is older than this is taken to have lost its worker. */
  staleAfterSeconds: number;
  /** Attempts a unit may lose its worker before it is marked failed. */
  maxAttempts: number;
}

// A cancel lands within one heartbeat; a crash is noticed within a minute. Training steps
// yield to the event loop every batch, so a live worker misses 12 beats only if it is wedged.
export const defaultQueueTimings: QueueTimings = {
  heartbeatSeconds: 5,
  staleAfterSeconds: 60,
  maxAttempts: 3,
};

export interface OpenStudyQueueOptions {
  log?: Logger;
  timings?: Partial<QueueTimings>;
  /** pg-boss's own pool; small, because units hold no connection while they train. */
  poolSize?: number;
  /** Run pg-boss maintenance (archive, expiry) from this process (default true). */
  supervise?: boolean;
}

/**
 * Starts pg-boss on the warehouse's database (the embedded server or DATABASE_URL, whichever the
 * warehouse connected to) and creates the KDLens queues. Safe to call from many processes at
 * once: pg-boss migrates its schema under an advisory lock and queue creation is idempotent.
 */
export async function openStudyQueue(
  warehouse: Warehouse,
  opts: OpenStudyQueueOptions = {},
): Promise<StudyQueue> {
  const timings = { ...defaultQueueTimings, ...opts.timings };
  if (!(timings.heartbeatSeconds > 0) || timings.staleAfterSeconds < 2 * timings.heartbeatSeconds) {
    throw new KdlensError(
      `queue timings: staleAfterSeconds (${timings.staleAfterSeconds}) must be at least twice heartbeatSeconds (${timings.heartbeatSeconds}) and heartbeatSeconds > 0, or live workers would be declared dead`,
    );
  }
  if (!Number.isInteger(timings.maxAttempts) || timings.maxAttempts < 1) {
    throw new KdlensError(
      `queue timings: maxAttempts must be an integer >= 1, not ${timings.maxAttempts}`,
    );
  }
  const boss = new PgBoss({
    connectionString: warehouse.url,
    schema: PG_BOSS_SCHEMA,
    max: opts.poolSize ?? 4,
    application_name: 'kdlens-queue',
    supervise: opts.supervise ?? true,
    // We use no cron schedules; the clock monitor would only add a timer and queries.
    schedule: false,
  });
  // pg-boss emits pool and maintenance errors as events; an EventEmitter 'error' without a
  // listener would crash the process, and a failed maintenance pass is retried on the next one.
  boss.on('error', (error) => opts.log?.warn({ err: error }, 'pg-boss reported an error'));
  await boss.start();
  try {
    await boss.createQueue(trainUnitJob.name, trainUnitJob.queue);
  } catch (error) {
    await boss.stop({ graceful: false });
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    warehouse,
    boss,
    timings,
    close: () => {
      closing ??= boss.stop({ graceful: false, close: true, timeout: 1000 });
      return closing;
    },
  };
}
