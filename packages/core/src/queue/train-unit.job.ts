import type PgBoss from 'pg-boss';
import { z } from 'zod';
import type { RunRole } from '../domain/run.ts';
import { queueNames } from './queue-names.ts';

/**
 * The train-unit job: "train run `runId`". The run row, not the job, is the unit's state (status,
 * attempt, heartbeat, progress, error); the job is only the wake-up that brings a worker to it.
 * A worker claims the row before it trains, so a duplicate or stale job is a harmless no-op.
 * The handler lives with the workers (apps/trainer/src/worker/run-claimed-unit.ts) because it
 * drives the trainer, which core does not depend on.
 */
export const trainUnitJob = {
  name: queueNames.trainUnit,
  payloadSchema: z.object({
    runId: z.uuid(),
    experimentId: z.uuid(),
  }),
  queue: {
    name: queueNames.trainUnit,
    // 'short' allows one *queued* job per singletonKey (the run id) and puts no limit on active
    // ones. 'singleton'/'stately' would also allow one *active* job per key, and a job left
    // active by a dead worker would then block the run's new job until pg-boss expires it.
    policy: 'short',
    // No pg-boss retries: reconciliation re-sends a job for every queued run that lacks one,
    // and requeues runs whose worker stopped heartbeating (see reconcile.ts).
    retryLimit: 0,
    // pg-boss has no heartbeats in v10, only this wall-clock cap on an active job; training can
    // take hours, so it is set near pg-boss's 24 h maximum and liveness uses runs.heartbeat_at.
    expireInSeconds: 23 * 60 * 60,
  },
} as const satisfies {
  name: string;
  payloadSchema: z.ZodType;
  queue: PgBoss.Queue;
};

export type TrainUnitPayload = z.infer<typeof trainUnitJob.payloadSchema>;

/** Teachers first: every distilled student of a seed waits for its teacher. */
export function trainUnitPriority(role: RunRole): number {
  return role === 'teacher' ? 1 : 0;
}
