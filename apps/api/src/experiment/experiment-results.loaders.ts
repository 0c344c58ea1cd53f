import type { Database } from '@kdlens/core/db';
import { studySummarySchema } from '@kdlens/core/results';
import type { StudySummary } from '@kdlens/metrics';
import DataLoader from 'dataloader';
import { z } from 'zod';

/** What Experiment shows of its test set: class names and sensitive attributes, no arrays. */
export interface TestSetInfo {
  classNames: string[];
  attributes: string[];
}

const testSetRowSchema = z.object({
  experiment_id: z.string(),
  class_names: z.array(z.string()),
  attributes: z.array(z.string()),
});

/** Batches Experiment.classNames / sensitiveAttributes into one query per request. */
export function createTestSetInfoLoader(db: Database) {
  return new DataLoader<string, TestSetInfo | null>(async (ids) => {
    const result = await db.$client.query(
      `select t.experiment_id, t.class_names,
         coalesce((select array_agg(a.name order by a.name) from test_set_attributes a
                    where a.experiment_id = t.experiment_id), '{}') as attributes
       from experiment_test_sets t where t.experiment_id = any($1::uuid[])`,
      [ids],
    );
    const byId = new Map<string, TestSetInfo>();
    for (const raw of result.rows) {
      const row = testSetRowSchema.parse(raw);
      byId.set(row.experiment_id, { classNames: row.class_names, attributes: row.attributes });
    }
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** Batches Experiment.arms: the stored summaries of many experiments in one query. */
export function createStudySummaryLoader(db: Database) {
  return new DataLoader<string, StudySummary | null>(async (ids) => {
    const rows = await db.query.studySummaries.findMany({
      columns: { experimentId: true, summary: true },
      where: (s, { inArray }) => inArray(s.experimentId, [...ids]),
    });
    // Through the warehouse's schema: it turns JSON's nulls back into NaN, as summarizeStudy had them.
    const byId = new Map(rows.map((r) => [r.experimentId, studySummarySchema.parse(r.summary)]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
