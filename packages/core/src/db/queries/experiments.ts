import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { ExperimentStatus, RunRole } from '../../domain/run.ts';
import { isUuid } from '../../domain/uuid.ts';
import type { Database } from '../database.ts';
import { type ExperimentRow, experiments, type RunRow, runs } from '../schema.ts';
import type { Executor, Transaction } from './executor.ts';
import { insertChunks, parametersPerRow } from './insert-chunks.ts';

export interface PlannedRun {
  role: RunRole;
  temperature: number | null;
  seed: number;
  architecture: string;
}

export interface NewExperiment {
  name: string;
  dataset: string;
  spec: Record<string, unknown>;
  runs: PlannedRun[];
}

/**
 * Records an experiment and its planned runs in one transaction (a savepoint when `db` is
 * already one, so a caller can add more to it before it commits). Idempotent: an experiment of
 * the same name is reused and only the runs it lacks are added, so re-running a spec never
 * duplicates a unit of work. Runs are inserted in chunks: a plan of any size fits the
 * protocol's parameter limit.
 */
export async function recordExperiment(
  db: Executor,
  input: NewExperiment,
): Promise<{ experiment: ExperimentRow; runs: RunRow[] }> {
  return db.transaction(async (tx) => {
    await tx
      .insert(experiments)
      .values({ name: input.name, dataset: input.dataset, spec: input.spec })
      .onConflictDoNothing({ target: experiments.name });
    const [experiment] = await tx
      .select()
      .from(experiments)
      .where(eq(experiments.name, input.name))
      .for('update');
    if (!experiment) throw new Error(`experiment "${input.name}" vanished during its creation`);
    const rows = input.runs.map((r) => ({ ...r, experimentId: experiment.id }));
    for (const chunk of insertChunks(rows, parametersPerRow(rows[0]))) {
      await tx.insert(runs).values(chunk).onConflictDoNothing();
    }
    const stored = await tx
      .select()
      .from(runs)
      .where(eq(runs.experimentId, experiment.id))
      .orderBy(runs.role, runs.temperature, runs.seed);
    return { experiment, runs: stored };
  });
}

/**
 * Creates an experiment with these values when none has the name, else locks the existing one
 * (FOR NO KEY UPDATE: runs can still be added under it) and leaves it as it is. Run it inside a
 * transaction so the lock lasts.
 */
export async function findOrCreateExperiment(
  tx: Executor,
  input: { name: string; dataset: string; spec: Record<string, unknown>; status: ExperimentStatus },
): Promise<{ id: string; created: boolean }> {
  const inserted = await tx
    .insert(experiments)
    .values(input)
    .onConflictDoNothing({ target: experiments.name })
    .returning({ id: experiments.id });
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const [existing] = await tx
    .select({ id: experiments.id })
    .from(experiments)
    .where(eq(experiments.name, input.name))
    .for('no key update');
  if (!existing) throw new Error(`experiment "${input.name}" vanished during its creation`);
  return { id: existing.id, created: false };
}

/** Marks an experiment as changed now (updated_at), e.g. after runs were added to it. */
export async function touchExperiment(db: Executor, id: string): Promise<void> {
  await db.update(experiments).set({ updatedAt: sql`now()` }).where(eq(experiments.id, id));
}

/**
 * The experiment a user refers to by id or by name, with one rule for every caller: a value
 * shaped like a UUID is tried as an id first, then as a name (a name may look like a UUID);
 * anything else is only a name (it never reaches PostgreSQL as a uuid, which would not parse).
 */
export async function findExperiment(
  db: Executor,
  ref: string,
): Promise<ExperimentRow | undefined> {
  const byId = isUuid(ref) ? await findExperimentById(db, ref.toLowerCase()) : undefined;
  return byId ?? findExperimentByName(db, ref);
}

export async function findExperimentByName(
  db: Executor,
  name: string,
): Promise<ExperimentRow | undefined> {
  const [row] = await db.select().from(experiments).where(eq(experiments.name, name));
  return row;
}

export async function findExperimentById(
  db: Executor,
  id: string,
): Promise<ExperimentRow | undefined> {
  const [row] = await db.select().from(experiments).where(eq(experiments.id, id));
  return row;
}

/** The data set name of many experiments in one statement, by id (unknown ids are absent). */
export async function readExperimentDatasets(
  db: Database,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: experiments.id, dataset: experiments.dataset })
    .from(experiments)
    .where(inArray(experiments.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r.dataset]));
}

/** Many experiments by id in one statement (unknown ids are absent). */
export async function findExperimentsByIds(
  db: Executor,
  ids: readonly string[],
): Promise<ExperimentRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(experiments)
    .where(inArray(experiments.id, [...ids]));
}

/** An experiment with how many of its runs there are and how many have succeeded. */
export interface ExperimentOverview {
  experiment: ExperimentRow;
  runsTotal: number;
  runsSucceeded: number;
}

/** Every experiment, newest first, with its run counts (one statement: `kdlens experiments list`). */
export function listExperimentOverviews(db: Database): Promise<ExperimentOverview[]> {
  return db
    .select({
      experiment: experiments,
      runsTotal: sql<number>`count(${runs.id})::int`,
      runsSucceeded: sql<number>`(count(${runs.id}) filter (where ${runs.status} = 'succeeded'))::int`,
    })
    .from(experiments)
    .leftJoin(runs, eq(runs.experimentId, experiments.id))
    .groupBy(experiments.id)
    .orderBy(desc(experiments.createdAt), experiments.name);
}

/**
 * Locks an experiment and all its runs for a delete in this transaction and returns its runs'
 * statuses; undefined when it does not exist (any more). With the runs locked, no worker can
 * claim one of them before the delete commits (its claim then finds no row).
 */
export async function lockExperimentForDelete(
  tx: Transaction,
  id: string,
): Promise<{ name: string; runStatuses: RunRow['status'][] } | undefined> {
  const [experiment] = await tx
    .select({ name: experiments.name })
    .from(experiments)
    .where(eq(experiments.id, id))
    .for('update');
  if (!experiment) return undefined;
  const locked = await tx
    .select({ status: runs.status })
    .from(runs)
    .where(eq(runs.experimentId, id))
    .for('update');
  return { name: experiment.name, runStatuses: locked.map((r) => r.status) };
}

/**
 * Deletes an experiment and, through the schema's ON DELETE CASCADE foreign keys, everything
 * under it: runs, their predictions, per-class accuracies, group metrics and artifacts (weights,
 * checkpoints), its test set and attributes, and its study summary. Its queued jobs live in
 * pg-boss's schema and are deleted by the queue module (queue/delete-experiment.ts).
 */
export async function deleteExperimentRows(tx: Executor, id: string): Promise<boolean> {
  const deleted = await tx
    .delete(experiments)
    .where(eq(experiments.id, id))
    .returning({ id: experiments.id });
  return deleted.length > 0;
}

export function listExperiments(db: Database, limit = 100): Promise<ExperimentRow[]> {
  return db.select().from(experiments).orderBy(desc(experiments.createdAt)).limit(limit);
}

/** Runs of many experiments in one query (the API batches its field resolvers through this). */
export function listRunsOfExperiments(db: Database, experimentIds: readonly string[]) {
  if (experimentIds.length === 0) return Promise.resolve([] as RunRow[]);
  return db
    .select()
    .from(runs)
    .where(inArray(runs.experimentId, [...experimentIds]))
    .orderBy(runs.role, runs.temperature, runs.seed);
}

export async function setExperimentStatus(
  db: Database,
  id: string,
  status: ExperimentStatus,
): Promise<void> {
  await db.update(experiments).set({ status, updatedAt: sql`now()` }).where(eq(experiments.id, id));
}

/**
 * Replaces an experiment's tags and note (parse them with parseExperimentAnnotations first) and
 * answers the updated row; undefined when no experiment has this id.
 */
export async function updateExperimentAnnotations(
  db: Executor,
  id: string,
  annotations: { tags: string[]; note: string | null },
): Promise<ExperimentRow | undefined> {
  const [row] = await db
    .update(experiments)
    .set({ tags: annotations.tags, note: annotations.note, updatedAt: sql`now()` })
    .where(eq(experiments.id, id))
    .returning();
  return row;
}

export async function countRows(db: Database): Promise<{ experiments: number; runs: number }> {
  const [e] = await db.select({ n: sql<number>`count(*)::int` }).from(experiments);
  const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(runs);
  return { experiments: e?.n ?? 0, runs: r?.n ?? 0 };
}
