import type { Database } from '@kdlens/core/db';
import { createRunsByExperimentLoader } from './run/runs-by-experiment.loader.ts';

/** Per-request state: loaders are per request so their caches never serve stale rows. */
export interface ApiContext {
  db: Database;
  loaders: { runsByExperiment: ReturnType<typeof createRunsByExperimentLoader> };
}

export function createContext(db: Database): ApiContext {
  return { db, loaders: { runsByExperiment: createRunsByExperimentLoader(db) } };
}
