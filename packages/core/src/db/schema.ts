import { sql } from 'drizzle-orm';
import {
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { experimentStatuses, type RunSummary, runRoles, runStatuses } from '../domain/run.ts';

export const runRoleEnum = pgEnum('run_role', runRoles);
export const runStatusEnum = pgEnum('run_status', runStatuses);
export const experimentStatusEnum = pgEnum('experiment_status', experimentStatuses);

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const experiments = pgTable(
  'experiments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
    dataset: text('dataset').notNull(),
    status: experimentStatusEnum('status').notNull().default('pending'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('experiments_name_key').on(t.name),
    index('experiments_dataset_idx').on(t.dataset),
    index('experiments_status_idx').on(t.status),
  ],
);

export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    experimentId: uuid('experiment_id')
      .notNull()
      .references(() => experiments.id, { onDelete: 'cascade' }),
    role: runRoleEnum('role').notNull(),
    temperature: doublePrecision('temperature'),
    seed: integer('seed').notNull(),
    architecture: text('architecture').notNull(),
    backend: text('backend'),
    status: runStatusEnum('status').notNull().default('queued'),
    progress: doublePrecision('progress').notNull().default(0),
    epoch: integer('epoch').notNull().default(0),
    summary: jsonb('summary').$type<RunSummary>(),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index('runs_experiment_idx').on(t.experimentId),
    index('runs_status_idx').on(t.status),
    // One run per arm and seed: re-running an experiment can never duplicate a unit.
    uniqueIndex('runs_unit_key').on(
      t.experimentId,
      t.role,
      sql`coalesce(${t.temperature}, -1)`,
      t.seed,
    ),
    check(
      'runs_temperature_only_when_distilled',
      sql`(${t.role} = 'distilled') = (${t.temperature} is not null)`,
    ),
    check('runs_temperature_positive', sql`${t.temperature} is null or ${t.temperature} > 0`),
    check('runs_progress_range', sql`${t.progress} >= 0 and ${t.progress} <= 1`),
  ],
);

export type ExperimentRow = typeof experiments.$inferSelect;
export type RunRow = typeof runs.$inferSelect;
