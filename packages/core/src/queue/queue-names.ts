/**
 * pg-boss queues of KDLens. A name is part of the stored jobs, so renaming one strands the jobs
 * already queued under the old name: add a new queue instead.
 */
export const queueNames = {
  /** One unit of a study: a teacher, a student or a distilled student (one run row). */
  trainUnit: 'kdlens-train-unit',
} as const;

export type QueueName = (typeof queueNames)[keyof typeof queueNames];

/** pg-boss keeps its tables in this schema of the warehouse database, beside ours. */
export const PG_BOSS_SCHEMA = 'pgboss';
