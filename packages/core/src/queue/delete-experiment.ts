import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import type { Transaction } from '../db/queries/executor.ts';
import { deleteExperimentRows, lockExperimentForDelete } from '../db/queries/experiments.ts';
import { KdlensError } from '../errors.ts';
import { PG_BOSS_SCHEMA } from './queue-names.ts';
import { trainUnitJob } from './train-unit.job.ts';

export interface DeletedExperiment {
  name: string;
  /** Runs deleted with it (their predictions, results and artifacts went with them). */
  runs: number;
  /** Runs that were running when it was deleted (only with `force`). */
  running: number;
  /** pg-boss jobs of its units deleted, queued or kept in pg-boss's archive. */
  jobs: number;
}

/**
 * Deletes the train-unit jobs of an experiment from pg-boss's tables, in the caller's
 * transaction: pg-boss's own deleteJob runs on its own connection, so the jobs and the rows
 * would not go (or stay) together. None when pg-boss never started on this warehouse (an
 * import-only one has no pg-boss schema).
 */
async function deleteExperimentJobs(tx: Transaction, experimentId: string): Promise<number> {
  let deleted = 0;
  for (const table of ['job', 'archive']) {
    const qualified = `${PG_BOSS_SCHEMA}.${table}`;
    const present = await tx.execute<{ present: boolean }>(
      sql`select to_regclass(${qualified}) is not null as present`,
    );
    if (!present.rows[0]?.present) continue;
    const result = await tx.execute(sql`
      delete from ${sql.identifier(PG_BOSS_SCHEMA)}.${sql.identifier(table)}
      where name = ${trainUnitJob.name} and data->>'experimentId' = ${experimentId}`);
    deleted += result.rowCount ?? 0;
  }
  return deleted;
}

/** Why an experiment with running units is not deleted, and the two ways on. */
export function runningRefusal(name: string, running: number): string {
  return `experiment "${name}" has ${running} running unit(s); cancel it first (kdlens cancel ${name}) and wait for them to stop, or delete anyway with --force`;
}

/**
 * Deletes an experiment with everything it owns, in one transaction: its runs, predictions,
 * results, artifacts, test set, summary, and its units' jobs. An experiment with running units is
 * refused unless `force`: a worker may be minutes into a unit someone still wants. Forced, the
 * rows go anyway; each running worker's next heartbeat then finds its run gone ('lost'), and it
 * drops the unit without writing anything (apps/trainer/src/worker/run-claimed-unit.ts).
 * Undefined when no experiment has this id.
 */
export function deleteExperiment(
  db: Database,
  experimentId: string,
  options: { force?: boolean } = {},
): Promise<DeletedExperiment | undefined> {
  return db.transaction(async (tx) => {
    const locked = await lockExperimentForDelete(tx, experimentId);
    if (!locked) return undefined;
    const running = locked.runStatuses.filter((s) => s === 'running').length;
    if (running > 0 && !options.force) {
      throw new KdlensError(runningRefusal(locked.name, running));
    }
    const jobs = await deleteExperimentJobs(tx, experimentId);
    await deleteExperimentRows(tx, experimentId);
    return { name: locked.name, runs: locked.runStatuses.length, running, jobs };
  });
}
