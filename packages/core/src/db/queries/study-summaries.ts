import { eq, inArray, sql } from 'drizzle-orm';
import { studySummaries } from '../schema.ts';
import type { Executor, Transaction } from './executor.ts';

/** A study_summaries row; `summary` and `options` are JSON as stored (core's results module parses them). */
export interface StudySummaryRow {
  experimentId: string;
  summary: unknown;
  options: unknown;
  fingerprint: string;
  runCount: number;
  temperatures: number[];
  computeMs: number;
  computedAt: Date;
}

// Any constant distinct from the migration lock; the second key is the experiment.
const SUMMARY_LOCK = 0x6b6473; // "kds"

/**
 * Makes recomputes of one experiment's summary take turns until the transaction ends, so each
 * reads after the previous one committed.
 */
export async function lockStudySummary(tx: Transaction, experimentId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${SUMMARY_LOCK}, hashtext(${experimentId}))`);
}

/** The options the stored summary was computed with; undefined when there is none. */
export async function readStudySummaryOptions(
  db: Executor,
  experimentId: string,
): Promise<unknown> {
  const [row] = await db
    .select({ options: studySummaries.options })
    .from(studySummaries)
    .where(eq(studySummaries.experimentId, experimentId));
  return row?.options;
}

/** Stores (or replaces) an experiment's summary; answers when it was computed (now()). */
export async function writeStudySummary(
  tx: Executor,
  row: Omit<StudySummaryRow, 'computedAt'>,
): Promise<Date> {
  const { experimentId, ...values } = row;
  const set = { ...values, computedAt: sql`now()` };
  const [stored] = await tx
    .insert(studySummaries)
    .values({ experimentId, ...set })
    .onConflictDoUpdate({ target: studySummaries.experimentId, set })
    .returning({ computedAt: studySummaries.computedAt });
  return stored?.computedAt ?? new Date();
}

export async function deleteStudySummary(tx: Executor, experimentId: string): Promise<void> {
  await tx.delete(studySummaries).where(eq(studySummaries.experimentId, experimentId));
}

/** The stored summary row of an experiment; undefined when none was computed. */
export async function readStudySummary(
  db: Executor,
  experimentId: string,
): Promise<StudySummaryRow | undefined> {
  const [row] = await db
    .select()
    .from(studySummaries)
    .where(eq(studySummaries.experimentId, experimentId));
  return row;
}

/** The stored summaries (JSON only) of many experiments in one statement. */
export async function readStudySummaryJson(
  db: Executor,
  experimentIds: readonly string[],
): Promise<{ experimentId: string; summary: unknown }[]> {
  if (experimentIds.length === 0) return [];
  return db
    .select({ experimentId: studySummaries.experimentId, summary: studySummaries.summary })
    .from(studySummaries)
    .where(inArray(studySummaries.experimentId, [...experimentIds]));
}
