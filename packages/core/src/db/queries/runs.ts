import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type RunRole, type RunSummary, runSummarySchema } from '../../domain/run.ts';
import { sanitizeRunError } from '../../domain/run-error-text.ts';
import { isUuid } from '../../domain/uuid.ts';
import type { Database } from '../database.ts';
import { type EpochEntry, type RunRow, runs, type TeacherOutputs } from '../schema.ts';
import { parseOrThrow } from './array-refinements.ts';
import type { Executor } from './executor.ts';

/** One run by id; undefined when there is none. */
/** The run with this id; undefined for anything that is not a UUID, as for an unknown id. */
export async function findRunById(db: Executor, id: string): Promise<RunRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(runs).where(eq(runs.id, id.toLowerCase()));
  return row;
}

/**
 * The runs with these ids, in no particular order; ids that are not UUIDs or name no run are
 * left out. One statement, so the caller bounds how many ids it passes.
 */
export async function findRunsByIds(db: Executor, ids: readonly string[]): Promise<RunRow[]> {
  const wanted = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
  if (wanted.length === 0) return [];
  return db.select().from(runs).where(inArray(runs.id, wanted));
}

/**
 * The id of the experiment's run of this arm and seed, created (queued, with this architecture)
 * when the experiment lacks it: adding results for a run that exists reuses it.
 */
export async function findOrCreateRun(
  tx: Executor,
  experimentId: string,
  run: { role: RunRole; temperature: number | null; seed: number; architecture: string },
): Promise<string> {
  await tx
    .insert(runs)
    .values({ experimentId, ...run })
    .onConflictDoNothing();
  const [row] = await tx
    .select({ id: runs.id })
    .from(runs)
    .where(
      and(
        eq(runs.experimentId, experimentId),
        eq(runs.role, run.role),
        run.temperature === null ? isNull(runs.temperature) : eq(runs.temperature, run.temperature),
        eq(runs.seed, run.seed),
      ),
    );
  if (!row) throw new Error(`run ${run.role}/${run.seed} vanished during its creation`);
  return row.id;
}

/**
 * Records the backend a claimed run actually trains on. Fenced by the claim: a worker whose run
 * was taken away (declared stale, cancelled) changes nothing.
 */
export async function recordRunBackend(
  db: Database,
  runId: string,
  worker: string,
  backend: string,
): Promise<boolean> {
  const updated = await db
    .update(runs)
    .set({ backend, updatedAt: sql`now()` })
    .where(and(eq(runs.id, runId), eq(runs.worker, worker), eq(runs.status, 'running')))
    .returning({ id: runs.id });
  return updated.length === 1;
}

/**
 * Records where a distilled run's soft targets come from ('cached' teacher logits or the 'live'
 * teacher), while `worker` holds its claim; false when the claim is gone.
 */
export async function recordRunTeacherOutputs(
  db: Database,
  runId: string,
  worker: string,
  teacherOutputs: TeacherOutputs,
): Promise<boolean> {
  const updated = await db
    .update(runs)
    .set({ teacherOutputs, updatedAt: sql`now()` })
    .where(and(eq(runs.id, runId), eq(runs.worker, worker), eq(runs.status, 'running')))
    .returning({ id: runs.id });
  return updated.length === 1;
}

/** Marks a run started outside the queue (tests and tools); queue workers claim runs instead. */
export async function markRunStarted(db: Database, runId: string, backend: string): Promise<void> {
  await db
    .update(runs)
    .set({
      status: 'running',
      backend,
      progress: 0,
      epoch: 0,
      error: null,
      startedAt: sql`now()`,
      finishedAt: null,
      updatedAt: sql`now()`,
    })
    .where(eq(runs.id, runId));
}

/** Live progress of a run; the optional fields are left unchanged when not given. */
export interface RunProgress {
  fraction: number;
  epoch: number;
  loss?: number;
  accuracy?: number;
  imagesPerSec?: number;
  etaSeconds?: number;
}

/** Records progress; it is also a heartbeat, since only a live trainer reports progress. */
export async function updateRunProgress(
  db: Database,
  runId: string,
  progress: RunProgress,
): Promise<void> {
  // Non-finite live numbers (a diverged loss) are dropped rather than failing the training loop.
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : undefined);
  await db
    .update(runs)
    .set({
      progress: Math.min(1, Math.max(0, progress.fraction)),
      epoch: progress.epoch,
      loss: finite(progress.loss),
      accuracy: finite(progress.accuracy),
      imagesPerSec: finite(progress.imagesPerSec),
      etaSeconds: finite(progress.etaSeconds),
      heartbeatAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(eq(runs.id, runId));
}

const epochEntrySchema = z.object({
  epoch: z.number().int().nonnegative(),
  loss: z.number(),
  trainAccuracy: z.number().min(0).max(1),
  evalAccuracy: z.number().min(0).max(1).nullable(),
  imagesPerSec: z.number().nonnegative(),
  seconds: z.number().nonnegative(),
});

/**
 * Appends a finished epoch to runs.history, replacing an entry of the same epoch: a retried unit
 * that resumes from its last checkpoint trains that epoch again and must not list it twice.
 */
export async function recordEpoch(db: Database, runId: string, entry: EpochEntry): Promise<void> {
  const e = parseOrThrow(epochEntrySchema, entry, 'recordEpoch');
  // A non-finite loss is a real outcome (divergence); JSON has no NaN, so it is stored as null.
  const json = JSON.stringify({ ...e, loss: Number.isFinite(e.loss) ? e.loss : null });
  await db
    .update(runs)
    .set({
      history: sql`(
        select coalesce(jsonb_agg(h.e order by (h.e->>'epoch')::int), '[]'::jsonb)
        from (
          select e from jsonb_array_elements(${runs.history}) e where (e->>'epoch')::int <> ${e.epoch}
          union all select ${json}::jsonb
        ) h(e)
      )`,
      heartbeatAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(eq(runs.id, runId));
}

/** Stores a run's results; the summary is validated so a malformed result never lands. */
export async function completeRun(db: Database, runId: string, summary: RunSummary): Promise<void> {
  const checked = runSummarySchema.parse(summary);
  await db
    .update(runs)
    .set({
      status: 'succeeded',
      progress: 1,
      summary: checked,
      finishedAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(eq(runs.id, runId));
}

export async function failRun(
  db: Database,
  runId: string,
  status: 'failed' | 'cancelled',
  error: string,
): Promise<void> {
  await db
    .update(runs)
    .set({ status, error: sanitizeRunError(error), finishedAt: sql`now()`, updatedAt: sql`now()` })
    .where(eq(runs.id, runId));
}
