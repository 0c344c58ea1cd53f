import { eq, sql } from 'drizzle-orm';
import { type RunSummary, runSummarySchema } from '../../domain/run.ts';
import type { Database } from '../database.ts';
import { runs } from '../schema.ts';

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

export async function updateRunProgress(
  db: Database,
  runId: string,
  progress: { fraction: number; epoch: number },
): Promise<void> {
  await db
    .update(runs)
    .set({
      progress: Math.min(1, Math.max(0, progress.fraction)),
      epoch: progress.epoch,
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
    .set({ status, error, finishedAt: sql`now()`, updatedAt: sql`now()` })
    .where(eq(runs.id, runId));
}
