import type { Config } from '../config/env.ts';
import { defaultQueueTimings, type QueueTimings } from './study-queue.ts';

/** Queue timings from the environment, and how often workers reconcile to match them. */
export function queueSettings(config: Pick<Config, 'queue'>): {
  timings: Partial<QueueTimings>;
  reconcileSeconds: number;
} {
  const staleAfter = config.queue.staleAfterSeconds ?? defaultQueueTimings.staleAfterSeconds;
  return {
    timings: config.queue,
    // A dead worker's unit waits for staleness plus one reconciliation pass; keep that pass
    // short when staleness is short (tests, drills), and at most 30 s otherwise.
    reconcileSeconds: Math.min(30, staleAfter / 2),
  };
}
