import { type Database, listRunsOfExperiments, type RunRow } from '@kdlens/core/db';
import DataLoader from 'dataloader';

/** Batches `Experiment.runs` into one query per request (no N+1). */
export function createRunsByExperimentLoader(db: Database) {
  return new DataLoader<string, RunRow[]>(async (ids) => {
    const rows = await listRunsOfExperiments(db, ids);
    const byExperiment = new Map<string, RunRow[]>(ids.map((id) => [id, []]));
    for (const row of rows) byExperiment.get(row.experimentId)?.push(row);
    return ids.map((id) => byExperiment.get(id) ?? []);
  });
}
