import { type Database, readExperimentPage } from '@kdlens/core/db';
import { z } from 'zod';
// One page limit for the resolver and the cost rule (limits/operation-size.ts).
import { MAX_PAGE_SIZE as MAX_PAGE } from '../limits/api-limits.ts';
import type { ExperimentConnectionType } from './experiment-connection.type.ts';
import type { ExperimentFilter } from './experiment-filter.input.ts';
import { badArgument } from './lookup-errors.ts';

/**
 * A cursor is core's ExperimentPageCursor (created_at at microsecond precision, id) as base64url
 * JSON: keyset pagination, newest first (see readExperimentPage).
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
  // One row more than asked for tells whether there is a next page.
  const { rows, totalCount } = await readExperimentPage(
    db,
    { dataset: filter?.dataset, status: filter?.status, nameContains: filter?.name },
    cursor,
    first + 1,
  );
  const page = rows.slice(0, first);
  const edges = page.map((r) => ({
    cursor: encodeCursor(r.cursorAt, r.id),
    node: {
      id: r.id,
      name: r.name,
      dataset: r.dataset,
      status: r.status,
      spec: r.spec,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    },
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: first > 0 && rows.length > first,
      // Keyset pages run forward only; a cursor names a row that was on an earlier page.
      hasPreviousPage: cursor !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}
