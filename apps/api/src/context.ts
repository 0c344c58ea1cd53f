import type { Database } from '@kdlens/core/db';
import { type StudyCache, studyCacheFor } from './analysis/study-cache.ts';
import type { RequestAuth } from './auth/request-auth.ts';
import type { ApiControl } from './control/api-control.ts';
import {
  createStudyHeadlineLoader,
  createStudySummaryLoader,
  createTestSetInfoLoader,
} from './experiment/experiment-results.loaders.ts';
import { type CacheTrace, newCacheTrace } from './http/cache-trace.ts';
import { createExperimentDatasetLoader } from './run/experiment-dataset.loader.ts';
import { createRunsByExperimentLoader } from './run/runs-by-experiment.loader.ts';

/** Per-request state: loaders are per request so their caches never serve stale rows. */
export interface ApiContext {
  db: Database;
  loaders: {
    runsByExperiment: ReturnType<typeof createRunsByExperimentLoader>;
    testSetInfo: ReturnType<typeof createTestSetInfoLoader>;
    studySummary: ReturnType<typeof createStudySummaryLoader>;
    studyHeadline: ReturnType<typeof createStudyHeadlineLoader>;
    experimentDataset: ReturnType<typeof createExperimentDatasetLoader>;
  };
  /** Per process, not per request: study data reused while an experiment's results are unchanged. */
  studies: StudyCache;
  /** Who is asking; resolved from the bearer token before any resolver runs. */
  auth: RequestAuth;
  /** Launch, cancel, import (the CLI's code); undefined on a read-only server. */
  control: ApiControl | undefined;
  /** Folders whose paths readers without the operator role never see (auth/server-paths.ts). */
  serverFolders: readonly string[];
  /** Aborted when the request times out (limits/request-timeout.ts); long work may watch it. */
  signal: AbortSignal;
  /**
   * performance.now() at which the data version of a cacheable request was read (or -Infinity):
   * process-wide caches must not answer from a read that started earlier, or a stale answer
   * would be stored under a newer version (http/response-cache.ts).
   */
  freshAfter: number;
  /** Filled by Apollo plugins for the HTTP adapter's response cache. */
  cacheTrace: CacheTrace;
}

export function createContext(
  db: Database,
  request: Pick<ApiContext, 'auth' | 'control' | 'signal'> &
    Partial<Pick<ApiContext, 'freshAfter' | 'cacheTrace' | 'serverFolders'>>,
): ApiContext {
  return {
    db,
    ...request,
    serverFolders: request.serverFolders ?? [],
    freshAfter: request.freshAfter ?? Number.NEGATIVE_INFINITY,
    cacheTrace: request.cacheTrace ?? newCacheTrace(),
    loaders: {
      runsByExperiment: createRunsByExperimentLoader(db),
      testSetInfo: createTestSetInfoLoader(db),
      studySummary: createStudySummaryLoader(db),
      studyHeadline: createStudyHeadlineLoader(db),
      experimentDataset: createExperimentDatasetLoader(db),
    },
    studies: studyCacheFor(db),
  };
}
