import type { Database } from '@kdlens/core/db';
import { type StudyCache, studyCacheFor } from './analysis/study-cache.ts';
import type { RequestAuth } from './auth/request-auth.ts';
import type { ApiControl } from './control/api-control.ts';
import {
  createStudySummaryLoader,
  createTestSetInfoLoader,
} from './experiment/experiment-results.loaders.ts';
import { createRunsByExperimentLoader } from './run/runs-by-experiment.loader.ts';

/** Per-request state: loaders are per request so their caches never serve stale rows. */
export interface ApiContext {
  db: Database;
  loaders: {
    runsByExperiment: ReturnType<typeof createRunsByExperimentLoader>;
    testSetInfo: ReturnType<typeof createTestSetInfoLoader>;
    studySummary: ReturnType<typeof createStudySummaryLoader>;
  };
  /** Per process, not per request: study data reused while an experiment's results are unchanged. */
  studies: StudyCache;
  /** Who is asking; resolved from the bearer token before any resolver runs. */
  auth: RequestAuth;
  /** Launch, cancel, import (the CLI's code); undefined on a read-only server. */
  control: ApiControl | undefined;
  /** Aborted when the request times out (limits/request-timeout.ts); long work may watch it. */
  signal: AbortSignal;
}

export function createContext(
  db: Database,
  request: Pick<ApiContext, 'auth' | 'control' | 'signal'>,
): ApiContext {
  return {
    db,
    ...request,
    loaders: {
      runsByExperiment: createRunsByExperimentLoader(db),
      testSetInfo: createTestSetInfoLoader(db),
      studySummary: createStudySummaryLoader(db),
    },
    studies: studyCacheFor(db),
  };
}
