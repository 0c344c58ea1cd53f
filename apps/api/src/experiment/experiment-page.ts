import { AnnotationError, parseExperimentTag } from '@kdlens/core';
import {
  type Database,
  type ExperimentListOrder,
  experimentSortKeys,
  readExperimentPage,
} from '@kdlens/core/db';
import { z } from 'zod';
// One page limit for the resolver and the cost rule (limits/operation-size.ts).
import { MAX_PAGE_SIZE as MAX_PAGE } from '../limits/api-limits.ts';
import type { ExperimentConnectionType } from './experiment-connection.type.ts';
import type { ExperimentFilter } from './experiment-filter.input.ts';
import { badArgument } from './lookup-errors.ts';

/**
 * A cursor is core's ExperimentPageCursor (created_at at microsecond precision, id, and the sort
 * value) with the sort and order it was handed out under, as base64url JSON: keyset pagination
 * (see readExperimentPage). A cursor of another sort would start the page at a meaningless place,
 * so it is refused.
 */
const cursorSchema = z.object({
  at: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
  id: z.guid(),
  by: z.enum(experimentSortKeys).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
  value: z.number().nullable().default(null),
});
type Cursor = z.infer<typeof cursorSchema>;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(cursor: string, order: ExperimentListOrder): Cursor {
  let parsed: Cursor;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw badArgument('after: not a cursor this API handed out (use pageInfo.endCursor)', 'after');
  }
  if (parsed.by !== order.by || parsed.order !== order.order) {
    throw badArgument(
      'after: this cursor belongs to a page of another sort or order; start again without it',
      'after',
    );
  }
  return parsed;
}

function parseTag(tag: string | null | undefined): string | undefined {
  if (tag === null || tag === undefined) return undefined;
  try {
    return parseExperimentTag(tag, 'filter.tag');
  } catch (error) {
    if (error instanceof AnnotationError) throw badArgument(error.message, error.field);
    throw error;
  }
}

export async function experimentPage(
  db: Database,
  filter: ExperimentFilter | undefined,
  first: number,
  after: string | undefined | null,
  order: ExperimentListOrder,
): Promise<ExperimentConnectionType> {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) {
    throw badArgument(`first: must be between 0 and ${MAX_PAGE}, got ${first}`, 'first');
  }
  const cursor = after ? decodeCursor(after, order) : null;
  const tag = parseTag(filter?.tag);
  // One row more than asked for tells whether there is a next page.
  const { rows, totalCount } = await readExperimentPage(
    db,
    { dataset: filter?.dataset, status: filter?.status, nameContains: filter?.name, tag },
    cursor,
    first + 1,
    order,
  );
  const page = rows.slice(0, first);
  const edges = page.map((r) => ({
    cursor: encodeCursor({
      at: r.cursorAt,
      id: r.id,
      by: order.by,
      order: order.order,
      value: r.sortValue,
    }),
    node: {
      id: r.id,
      name: r.name,
      dataset: r.dataset,
      status: r.status,
      spec: r.spec,
      tags: r.tags,
      note: r.note,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      headline: r.headline,
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
