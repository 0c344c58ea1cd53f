import type { Database } from '@kdlens/core/db';
import DataLoader from 'dataloader';

/** The data set name of each experiment, batched: run errors shown to viewers are labelled with it. */
export function createExperimentDatasetLoader(db: Database) {
  return new DataLoader<string, string | undefined>(async (ids) => {
    // The relational query API needs no drizzle import here (it is not this package's dependency).
    const rows = await db.query.experiments.findMany({
      where: (e, { inArray }) => inArray(e.id, [...ids]),
      columns: { id: true, dataset: true },
    });
    const byId = new Map(rows.map((r) => [r.id, r.dataset]));
    return ids.map((id) => byId.get(id));
  });
}
