import { experimentStatuses } from '@kdlens/core';
import type { Database } from '@kdlens/core/db';
import { z } from 'zod';
// One page limit for the resolver and the cost rule (limits/operation-size.ts).
import { MAX_PAGE_SIZE as MAX_PAGE } from '../limits/api-limits.ts';
import type { ExperimentConnectionType } from './experiment-connection.type.ts';
import type { ExperimentFilter } from './experiment-filter.input.ts';
import { badArgument } from './lookup-errors.ts';

/**
 * Keyset pagination on (created_at, id), newest first: stable while experiments are added, and
 * no OFFSET scan. The cursor keeps created_at at PostgreSQL's microsecond precision (a JS Date
 * would round it to ms and skip or repeat rows created in the same millisecond).
 */
const cursorSchema = z.object({
  at: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
  id: z.guid(),
});

export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify({ at, id })).toString('base64url');
}

function decodeCursor(cursor: string): z.infer<typeof cursorSchema> {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw badArgument('after: not a cursor this API handed out (use pageInfo.endCursor)', 'after');
  }
}

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

// `total` comes from a window over the filtered rows before the cursor and LIMIT apply, so one
// query answers both the page and totalCount.
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

export async function experimentPage(
  db: Database,
  filter: ExperimentFilter | undefined,
  first: number,
  after: string | undefined | null,
): Promise<ExperimentConnectionType> {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) {
    throw badArgument(`first: must be between 0 and ${MAX_PAGE}, got ${first}`, 'first');
  }
  const cursor = after ? decodeCursor(after) : null;
  // LIKE wildcards in the user's text are literal characters of the name.
  const name = filter?.name ? filter.name.replace(/[\\%_]/g, (c) => `\\${c}`) : null;
  const result = await db.$client.query(PAGE_SQL, [
    filter?.dataset ?? null,
    filter?.status ?? null,
    name,
    cursor?.at ?? null,
    cursor?.id ?? null,
    first + 1,
  ]);
  const rows = result.rows.map((r) => rowSchema.parse(r));
  const page = rows.slice(0, first);
  let totalCount = rows[0]?.total;
  if (totalCount === undefined) {
    // An empty page (past the end, or first: 0) still owes the total.
    const count = await db.$client.query(PAGE_SQL.replace('limit $6', 'limit 1'), [
      filter?.dataset ?? null,
      filter?.status ?? null,
      name,
      null,
      null,
    ]);
    totalCount = count.rows[0] ? rowSchema.parse(count.rows[0]).total : 0;
  }
  const edges = page.map((r) => ({
    cursor: encodeCursor(r.cursor_at, r.id),
    node: {
      id: r.id,
      name: r.name,
      dataset: r.dataset,
      status: r.status,
      spec: r.spec,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    },
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: first > 0 && rows.length > first,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}
