import { type Database, readExperimentDatasets } from '@kdlens/core/db';
import DataLoader from 'dataloader';

/** The data set name of each experiment, batched: run errors shown to viewers are labelled with it. */
export function createExperimentDatasetLoader(db: Database) {
  return new DataLoader<string, string | undefined>(async (ids) => {
    const byId = await readExperimentDatasets(db, ids);
    return ids.map((id) => byId.get(id));
  });
}
