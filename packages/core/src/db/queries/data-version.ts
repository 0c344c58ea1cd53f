import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../database.ts';
import type { Executor } from './executor.ts';

/**
 * The warehouse's data versions, both read by one statement (readWarehouseDataVersion).
 *
 * `all` names the state of everything the warehouse shows. Per table, the row count and a sum
 * of 64-bit hashes of (key, xmin): every insert, update (heartbeats and progress included) and
 * delete that commits gives a row a new xmin or removes one, so the sum changes (up to a 2^-64
 * collision). Not max(updated_at): now() is the writing transaction's start, so a long import
 * committing after a later progress update would hide behind it, and heartbeats (shown as
 * Run.heartbeatAt) do not touch updated_at. Row locks set xmax, not xmin, so they change nothing.
 * The four tables cover every write: results (run_predictions, run_class_accuracy,
 * run_group_metrics) are saved in the transaction that updates their run (writeRunResults), test
 * set attributes in the one that upserts experiment_test_sets (storeTestSet), and cascading
 * deletes remove the parent row too.
 *
 * `results` names what results-bearing answers show, and stays the same while a study only
 * reports liveness: a worker's progress, epoch history and heartbeats (several writes a second)
 * and its claim of a queued unit do not change it, so answers cached under it survive them
 * (issue 14). Per run only the run's identity and whether and when it finished are hashed
 * (`open` for queued and running): a run finishing, failing, being cancelled, requeued, created
 * or deleted changes it; the run's summary (Run.classAccuracy) is written with its finished_at.
 * Results themselves by run_predictions' results_id, which every save renews (run_class_accuracy
 * and run_group_metrics are written in the same transaction, writeRunResults); experiments,
 * test sets and study summaries by xmin as in `all` (experiments change only at a study's start
 * and end, refreshExperimentStatus writing only a changed status, and when an operator edits an
 * experiment's tags or note: updateExperimentAnnotations, so other API processes see the edit).
 *
 * One scan per table each; at 60 runs the statement takes well under 1 ms.
 */
const xminPart = (table: string, key: string) =>
  `(select count(*) || ':' || coalesce(sum(hashtextextended(${key}::text || xmin::text, 0)::numeric), 0) from ${table})`;
const WAREHOUSE_VERSION_SQL = `
  select concat_ws('|',
    ${xminPart('experiments', 'id')},
    ${xminPart('runs', 'id')},
    ${xminPart('experiment_test_sets', 'experiment_id')},
    ${xminPart('study_summaries', 'experiment_id')}
  ) as all_version,
  concat_ws('|',
    ${xminPart('experiments', 'id')},
    (select count(*) || ':' || coalesce(sum(hashtextextended(id::text
        || case when status in ('succeeded', 'failed', 'cancelled') then status::text else 'open' end
        || coalesce(finished_at::text, ''), 0)::numeric), 0) from runs),
    (select count(*) || ':' || coalesce(sum(hashtextextended(run_id::text || results_id::text, 0)::numeric), 0) from run_predictions),
    ${xminPart('experiment_test_sets', 'experiment_id')},
    ${xminPart('study_summaries', 'experiment_id')}
  ) as results_version`;

const warehouseVersionRowSchema = z.object({
  all_version: z.string(),
  results_version: z.string(),
});

/** See WAREHOUSE_VERSION_SQL. */
export interface WarehouseDataVersion {
  /** Changes with every committed write, liveness (progress, heartbeats) included. */
  all: string;
  /** Changes only when results could: predictions, summaries, test sets, runs finishing. */
  results: string;
}

/** The warehouse's data versions (one statement): `all` changes with every committed write. */
export async function readWarehouseDataVersion(db: Database): Promise<WarehouseDataVersion> {
  const result = await db.$client.query(WAREHOUSE_VERSION_SQL);
  const row = warehouseVersionRowSchema.parse(result.rows[0]);
  return { all: row.all_version, results: row.results_version };
}

/**
 * THE "have results changed" fingerprint: SHA-256 of the test set's digest, then `|runId:resultsId`
 * for every stored result (each save of a run gets a new results_id) in run id order. A study
 * summary stores the one of the results it was computed from; readResultsState gives the current
 * one.
 */
export function resultsFingerprint(
  testSetDigest: string,
  results: readonly { runId: string; resultsId: string }[],
): string {
  const text = [...results]
    .sort((a, b) => (a.runId < b.runId ? -1 : 1))
    .map((r) => `|${r.runId}:${r.resultsId}`)
    .join('');
  return fingerprintOfText(testSetDigest, text);
}

function fingerprintOfText(testSetDigest: string, resultsText: string): string {
  return createHash('sha256').update(testSetDigest).update(resultsText).digest('hex');
}

/** What an experiment's results are now, from ids only (no arrays are read). */
export interface ResultsState {
  /** resultsFingerprint of the stored test set and results; null without a test set. */
  fingerprint: string | null;
  /** The stored summary: the fingerprint it was computed from, and when; null when none. */
  summary: { fingerprint: string; computedAt: string } | null;
}

// Rows as node-postgres returns them; checked because the database is a boundary.
const stateRowSchema = z.object({
  digest: z.string().nullable(),
  summary_fingerprint: z.string().nullable(),
  computed_at: z.string().nullable(),
  results: z.string(),
});

/**
 * The current results fingerprint of an experiment and its stored summary's, in one statement;
 * undefined when no experiment has this id. Together they change whenever anything computed
 * from the results could: a result saved or deleted, the test set replaced, the summary
 * recomputed (with other options, say).
 */
export async function readResultsState(
  db: Executor,
  experimentId: string,
): Promise<ResultsState | undefined> {
  // resultsFingerprint's text built by PostgreSQL, one string rather than arrays (cheaper on
  // this per-request path). uuids compare by their bytes, which is the order of their lowercase
  // hex text, so `order by p.run_id` is the order resultsFingerprint sorts in.
  const result = await db.execute(sql`
    select ts.digest, s.fingerprint as summary_fingerprint, s.computed_at::text as computed_at,
      (select coalesce(string_agg('|' || p.run_id::text || ':' || p.results_id::text, '' order by p.run_id), '')
         from run_predictions p join runs r on r.id = p.run_id
        where r.experiment_id = e.id) as results
    from experiments e
    left join experiment_test_sets ts on ts.experiment_id = e.id
    left join study_summaries s on s.experiment_id = e.id
    where e.id = ${experimentId}`);
  const raw = result.rows[0];
  if (raw === undefined) return undefined;
  const row = stateRowSchema.parse(raw);
  return {
    fingerprint: row.digest === null ? null : fingerprintOfText(row.digest, row.results),
    summary:
      row.summary_fingerprint === null || row.computed_at === null
        ? null
        : { fingerprint: row.summary_fingerprint, computedAt: row.computed_at },
  };
}
