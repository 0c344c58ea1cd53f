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

/**
 * A summary's headline numbers, stored in columns beside it so the experiments list can filter
 * and sort by them in SQL (results/study-headline.ts computes them); null where there is none.
 */
export interface StudyHeadline {
  teacherAccuracy: number | null;
  ndsAccuracy: number | null;
  bestDistilledAccuracy: number | null;
  bestDistilledTemperature: number | null;
  maxDpd: number | null;
  maxDpdAttribute: string | null;
}

/** Stores (or replaces) an experiment's summary; answers when it was computed (now()). */
export async function writeStudySummary(
  tx: Executor,
  row: Omit<StudySummaryRow, 'computedAt'> & { headline: StudyHeadline },
): Promise<Date> {
  const { experimentId, headline, ...values } = row;
  const set = { ...values, ...headline, computedAt: sql`now()` };
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
    .select({
      experimentId: studySummaries.experimentId,
      summary: studySummaries.summary,
      options: studySummaries.options,
      fingerprint: studySummaries.fingerprint,
      runCount: studySummaries.runCount,
      temperatures: studySummaries.temperatures,
      computeMs: studySummaries.computeMs,
      computedAt: studySummaries.computedAt,
    })
    .from(studySummaries)
    .where(eq(studySummaries.experimentId, experimentId));
  return row;
}

/** The stored headline numbers of many experiments in one statement (those with a summary). */
export async function readStudyHeadlines(
  db: Executor,
  experimentIds: readonly string[],
): Promise<Map<string, StudyHeadline>> {
  if (experimentIds.length === 0) return new Map();
  const rows = await db
    .select({
      experimentId: studySummaries.experimentId,
      teacherAccuracy: studySummaries.teacherAccuracy,
      ndsAccuracy: studySummaries.ndsAccuracy,
      bestDistilledAccuracy: studySummaries.bestDistilledAccuracy,
      bestDistilledTemperature: studySummaries.bestDistilledTemperature,
      maxDpd: studySummaries.maxDpd,
      maxDpdAttribute: studySummaries.maxDpdAttribute,
    })
    .from(studySummaries)
    .where(inArray(studySummaries.experimentId, [...experimentIds]));
  return new Map(rows.map(({ experimentId, ...headline }) => [experimentId, headline]));
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
