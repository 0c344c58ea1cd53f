import { z } from 'zod';
import { type ExperimentStatus, experimentStatuses } from '../../domain/run.ts';
import type { Database } from '../database.ts';

/** Which experiments a listing shows; an absent field does not filter. */
export interface ExperimentListFilter {
  dataset?: string | null;
  status?: ExperimentStatus | null;
  /** Part of the name, case-insensitive; LIKE wildcards in it are literal characters. */
  nameContains?: string | null;
}

/**
 * Where a page starts: after the experiment with this created_at and id. `at` keeps
 * PostgreSQL's microsecond precision (a JS Date would round it to ms and skip or repeat rows
 * created in the same millisecond).
 */
export interface ExperimentPageCursor {
  /** created_at as YYYY-MM-DDTHH:MM:SS.ffffffZ (an ExperimentPageRow's cursorAt). */
  at: string;
  id: string;
}

export interface ExperimentPageRow {
  id: string;
  name: string;
  dataset: string;
  status: ExperimentStatus;
  spec: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  /** created_at at microsecond precision: the `at` of a cursor that continues after this row. */
  cursorAt: string;
}

export interface ExperimentPage {
  rows: ExperimentPageRow[];
  /** Experiments matching the filter, all pages together. */
  totalCount: number;
}

// Rows as node-postgres returns them; checked because the database is a boundary.
const rowSchema = z.object({
  id: z.string(),
  name: z.string(),
  dataset: z.string(),
  status: z.enum(experimentStatuses),
  spec: z.record(z.string(), z.unknown()),
  created_at: z.date(),
  updated_at: z.date(),
  cursor_at: z.string(),
  total: z.coerce.number(),
});

// Keyset pagination on (created_at, id), newest first: stable while experiments are added, and
// no OFFSET scan. `total` comes from a window over the filtered rows before the cursor and LIMIT
// apply, so one statement answers both the page and the total.
const PAGE_SQL = `
  select * from (
    select id, name, dataset, status, spec, created_at, updated_at,
      to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at,
      count(*) over () as total
    from experiments
    where ($1::text is null or dataset = $1)
      and ($2::experiment_status is null or status = $2)
      and ($3::text is null or name ilike '%' || $3 || '%' escape '\\')
  ) e
  where $4::timestamptz is null or (e.created_at, e.id) < ($4::timestamptz, $5::uuid)
  order by e.created_at desc, e.id desc
  limit $6`;

/**
 * Up to `limit` experiments after `after` (newest first) and the filter's total count: one
 * statement, or two when the page is empty (past the end, or limit 0) and still owes the total.
 */
export async function readExperimentPage(
  db: Database,
  filter: ExperimentListFilter,
  after: ExperimentPageCursor | null,
  limit: number,
): Promise<ExperimentPage> {
  // LIKE wildcards in the user's text are literal characters of the name.
  const name = filter.nameContains ? filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`) : null;
  const page = (cursor: ExperimentPageCursor | null, n: number) =>
    db.$client
      .query(PAGE_SQL, [
        filter.dataset ?? null,
        filter.status ?? null,
        name,
        cursor?.at ?? null,
        cursor?.id ?? null,
        n,
      ])
      .then((result) => result.rows.map((r) => rowSchema.parse(r)));
  const rows = await page(after, limit);
  // The window's total rides on every row; with none, the first row of the whole listing has it.
  const totalCount = rows[0]?.total ?? (await page(null, 1))[0]?.total ?? 0;
  return {
    rows: rows.map((r) => ({
      id: r.id,
      name: r.name,
      dataset: r.dataset,
      status: r.status,
      spec: r.spec,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      cursorAt: r.cursor_at,
    })),
    totalCount,
  };
}
