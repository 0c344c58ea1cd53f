import type { Database } from '@kdlens/core/db';
import { z } from 'zod';

/**
 * Names the state of everything a cacheable query can show. Per table, the row count and a sum of
 * 64-bit hashes of (key, xmin): every insert, update (heartbeats and progress included) and
 * delete that commits gives a row a new xmin or removes one, so the sum changes (up to a 2^-64
 * collision). Not max(updated_at): now() is the writing transaction's start, so a long import
 * committing after a later progress update would hide behind it, and heartbeats (shown as
 * Run.heartbeatAt) do not touch updated_at. Row locks set xmax, not xmin, so they change nothing.
 *
 * The four tables cover every write: results (run_predictions, run_class_accuracy,
 * run_group_metrics) are saved in the transaction that updates their run (saveRunResults), test
 * set attributes in the one that upserts experiment_test_sets (recordTestSet), and cascading
 * deletes remove the parent row too. One scan per table; at 60 runs it takes well under 1 ms.
 */
const VERSION_SQL = `
  select concat_ws('|',
    (select count(*) || ':' || coalesce(sum(hashtextextended(id::text || xmin::text, 0)::numeric), 0) from experiments),
    (select count(*) || ':' || coalesce(sum(hashtextextended(id::text || xmin::text, 0)::numeric), 0) from runs),
    (select count(*) || ':' || coalesce(sum(hashtextextended(experiment_id::text || xmin::text, 0)::numeric), 0) from experiment_test_sets),
    (select count(*) || ':' || coalesce(sum(hashtextextended(experiment_id::text || xmin::text, 0)::numeric), 0) from study_summaries)
  ) as version`;

const versionRowSchema = z.object({ version: z.string() });

/** Reads the warehouse's data version (one statement). */
export function warehouseDataVersion(db: Database): () => Promise<string> {
  return async () => {
    const result = await db.$client.query(VERSION_SQL);
    return versionRowSchema.parse(result.rows[0]).version;
  };
}

/** A version and when (performance.now()) the read that produced it started. */
export interface DataVersion {
  value: string;
  readStartedAt: number;
}

/**
 * The data version, read at most once per `ttlMs` window: requests in the window share the last
 * read or the one in flight. A version is never older than `ttlMs` when handed out (it names every
 * write that committed before its read started), which bounds how stale a cached answer can be.
 */
export class DataVersionSource {
  private current: DataVersion | undefined;
  private pending: { promise: Promise<DataVersion>; startedAt: number } | undefined;
  /** Reads started before this are not handed out: a mutation through this server came after. */
  private validFrom = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly read: () => Promise<string>,
    private readonly ttlMs: number,
  ) {}

  get(): Promise<DataVersion> {
    const now = performance.now();
    const current = this.current;
    if (current && now - current.readStartedAt <= this.ttlMs) return Promise.resolve(current);
    const pending = this.pending;
    if (pending && now - pending.startedAt <= this.ttlMs) return pending.promise;
    const startedAt = now;
    const promise = this.read().then((value) => {
      const version = { value, readStartedAt: startedAt };
      // A slower, older read finishing late must not replace a newer one.
      if (startedAt >= this.validFrom && startedAt > (this.current?.readStartedAt ?? -1)) {
        this.current = version;
      }
      return version;
    });
    const entry = { promise, startedAt };
    this.pending = entry;
    const clear = () => {
      if (this.pending === entry) this.pending = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }

  /**
   * Forgets the version so the next request reads afresh: called after a mutation through this
   * server, so its caller reads what it wrote at once instead of up to ttlMs later.
   */
  invalidate(): void {
    this.validFrom = performance.now();
    this.current = undefined;
    this.pending = undefined;
  }
}
