import { z } from 'zod';
import { type ExperimentStatus, experimentStatuses } from '../../domain/run.ts';
import type { Database } from '../database.ts';
import type { StudyHeadline } from './study-summaries.ts';

/** Which experiments a listing shows; an absent field does not filter. */
export interface ExperimentListFilter {
  dataset?: string | null;
  status?: ExperimentStatus | null;
  /** Part of the name, case-insensitive; LIKE wildcards in it are literal characters. */
  nameContains?: string | null;
  /** Experiments carrying this tag (exact). */
  tag?: string | null;
}

/**
 * What a listing is ordered by: when it was created, or one of the stored summary's headline
 * numbers (results/study-headline.ts). Experiments without the number come last either way.
 */
export const experimentSortKeys = [
  'createdAt',
  'teacherAccuracy',
  'ndsAccuracy',
  'bestDistilledAccuracy',
  'maxDpd',
] as const;
export type ExperimentSortKey = (typeof experimentSortKeys)[number];
export type SortOrder = 'asc' | 'desc';

export interface ExperimentListOrder {
  by: ExperimentSortKey;
  order: SortOrder;
}

/** Newest first, as the listing always was. */
export const defaultExperimentOrder: ExperimentListOrder = { by: 'createdAt', order: 'desc' };

// The SQL of each key; fixed text chosen from this table, never the client's.
const sortColumn: Record<ExperimentSortKey, string> = {
  createdAt: 'null::double precision',
  teacherAccuracy: 's.teacher_accuracy',
  ndsAccuracy: 's.nds_accuracy',
  bestDistilledAccuracy: 's.best_distilled_accuracy',
  maxDpd: 's.max_dpd',
};

/**
 * Where a page starts: after the experiment with this sort value, created_at and id. `at` keeps
 * PostgreSQL's microsecond precision (a JS Date would round it to ms and skip or repeat rows
 * created in the same millisecond).
 */
export interface ExperimentPageCursor {
  /** created_at as YYYY-MM-DDTHH:MM:SS.ffffffZ (an ExperimentPageRow's cursorAt). */
  at: string;
  id: string;
  /** The row's sort value (null for createdAt, and for a row without the number). */
  value?: number | null;
}

export interface ExperimentPageRow {
  id: string;
  name: string;
  dataset: string;
  status: ExperimentStatus;
  spec: Record<string, unknown>;
  tags: string[];
  note: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** The stored summary's headline numbers; null without a summary. */
  headline: StudyHeadline | null;
  /** created_at at microsecond precision: the `at` of a cursor that continues after this row. */
  cursorAt: string;
  /** The sort value: the `value` of a cursor that continues after this row. */
  sortValue: number | null;
}

export interface ExperimentPage {
  rows: ExperimentPageRow[];
  /** Experiments matching the filter, all pages together. */
  totalCount: number;
}

const num = z.number().nullable();
// Rows as node-postgres returns them; checked because the database is a boundary.
const rowSchema = z.object({
  id: z.string(),
  name: z.string(),
  dataset: z.string(),
  status: z.enum(experimentStatuses),
  spec: z.record(z.string(), z.unknown()),
  tags: z.array(z.string()),
  note: z.string().nullable(),
  created_at: z.date(),
  updated_at: z.date(),
  has_summary: z.boolean(),
  teacher_accuracy: num,
  nds_accuracy: num,
  best_distilled_accuracy: num,
  best_distilled_temperature: num,
  max_dpd: num,
  max_dpd_attribute: z.string().nullable(),
  cursor_at: z.string(),
  sort_value: num,
  total: z.coerce.number(),
});

/**
 * Keyset pagination on (sort value, created_at, id): stable while experiments are added, and no
 * OFFSET scan. The value sorts in `order` with nulls last, ties by (created_at, id) in the same
 * direction, so after a cursor come the rows past its value, then those equal to it and past its
 * (created_at, id), then (unless the cursor is in the nulls already) the rows without a value.
 * `total` comes from a window over the filtered rows before the cursor and LIMIT apply, so one
 * statement answers both the page and the total. $4 (the cursor's created_at) null means no cursor.
 */
function pageSql(order: ExperimentListOrder): string {
  const value = sortColumn[order.by];
  const past = order.order === 'asc' ? '>' : '<';
  const direction = order.order === 'asc' ? 'asc' : 'desc';
  return `
  select * from (
    select e.id, e.name, e.dataset, e.status, e.spec, e.tags, e.note, e.created_at, e.updated_at,
      s.experiment_id is not null as has_summary,
      s.teacher_accuracy, s.nds_accuracy, s.best_distilled_accuracy, s.best_distilled_temperature,
      s.max_dpd, s.max_dpd_attribute,
      ${value} as sort_value,
      to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at,
      count(*) over () as total
    from experiments e
    left join study_summaries s on s.experiment_id = e.id
    where ($1::text is null or e.dataset = $1)
      and ($2::experiment_status is null or e.status = $2)
      and ($3::text is null or e.name ilike '%' || $3 || '%' escape '\\')
      and ($7::text is null or e.tags @> array[$7::text])
  ) e
  where $4::timestamptz is null
    or ($6::double precision is not null and (
      e.sort_value ${past} $6
      or (e.sort_value = $6 and (e.created_at, e.id) ${past} ($4::timestamptz, $5::uuid))
      or e.sort_value is null))
    or ($6::double precision is null and e.sort_value is null
      and (e.created_at, e.id) ${past} ($4::timestamptz, $5::uuid))
  order by e.sort_value ${direction} nulls last, e.created_at ${direction}, e.id ${direction}
  limit $8`;
}

/**
 * Up to `limit` experiments after `after` in `order` and the filter's total count: one
 * statement, or two when the page is empty (past the end, or limit 0) and still owes the total.
 */
export async function readExperimentPage(
  db: Database,
  filter: ExperimentListFilter,
  after: ExperimentPageCursor | null,
  limit: number,
  order: ExperimentListOrder = defaultExperimentOrder,
): Promise<ExperimentPage> {
  // LIKE wildcards in the user's text are literal characters of the name.
  const name = filter.nameContains ? filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`) : null;
  const text = pageSql(order);
  const page = (cursor: ExperimentPageCursor | null, n: number) =>
    db.$client
      .query(text, [
        filter.dataset ?? null,
        filter.status ?? null,
        name,
        cursor?.at ?? null,
        cursor?.id ?? null,
        cursor?.value ?? null,
        filter.tag ?? null,
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
      tags: r.tags,
      note: r.note,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      headline: r.has_summary
        ? {
            teacherAccuracy: r.teacher_accuracy,
            ndsAccuracy: r.nds_accuracy,
            bestDistilledAccuracy: r.best_distilled_accuracy,
            bestDistilledTemperature: r.best_distilled_temperature,
            maxDpd: r.max_dpd,
            maxDpdAttribute: r.max_dpd_attribute,
          }
        : null,
      cursorAt: r.cursor_at,
      sortValue: r.sort_value,
    })),
    totalCount,
  };
}
