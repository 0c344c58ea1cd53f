import {
  type ExperimentSpec,
  type Logger,
  readPredictionTexts,
  resolveLaunchedSpec,
  type SpecPathsConfig,
  writeImportedStudy,
} from '@kdlens/core';
import type { Warehouse } from '@kdlens/core/db';
import {
  type CancelResult,
  type CancelTarget,
  openStudyQueue,
  type QueueTimings,
  requestCancel,
  type StudyQueue,
} from '@kdlens/core/queue';
import { enqueueStudy } from '@kdlens/core/study';

/** A prediction file sent as text; its name's extension picks the format (.csv, .jsonl). */
export interface ImportFile {
  name: string;
  content: string;
}

/**
 * Per-request options of a mutation. `signal` aborts at the request's deadline: the work then
 * rolls back instead of committing, since the client was already told TIMEOUT.
 */
export interface ControlCallOptions {
  signal?: AbortSignal;
}

/**
 * What the API's mutations do to the warehouse and the queue: the same functions the CLI calls.
 * An interface so that the server is started with or without control (read-only), and so that
 * tests can put a control that fails or hangs behind the real resolvers.
 */
export interface ApiControl {
  /** Records the spec's experiment and queues what it lacks (`kdlens run <spec>`). */
  launch(spec: ExperimentSpec, options?: ControlCallOptions): Promise<{ experimentId: string }>;
  /** `kdlens cancel`: queued runs end now, running ones within a heartbeat. */
  cancel(target: CancelTarget): Promise<CancelResult>;
  /** `kdlens import`: validates every file, then writes the study in one transaction. */
  importPredictions(
    experiment: string,
    files: readonly ImportFile[],
    options?: ControlCallOptions,
  ): Promise<{ experimentId: string; runsImported: number }>;
  /** Releases what the control holds open; the API server calls it when it stops. */
  close(): Promise<void>;
}

export interface ApiControlOptions {
  warehouse: Warehouse;
  log: Logger;
  timings: Partial<QueueTimings>;
  /**
   * Where a launched spec's relative data paths are taken from (the server's working folder) and
   * the folders they may point into (KDLENS_DATA_ROOTS), as for `kdlens run`.
   */
  config: SpecPathsConfig;
}

/** Launch, cancel and import through @kdlens/core, as `kdlens run`, `cancel` and `import` do. */
export function createApiControl(opts: ApiControlOptions): ApiControl {
  // One queue handle for the server's life: opening pg-boss per cancel would cost a connection
  // pool and a schema check each time. Sending only; the workers run maintenance.
  let queue: Promise<StudyQueue> | undefined;
  const openQueue = () => {
    queue ??= openStudyQueue(opts.warehouse, {
      log: opts.log,
      timings: opts.timings,
      supervise: false,
      poolSize: 2,
    });
    queue.catch(() => {
      queue = undefined;
    });
    return queue;
  };
  return {
    launch: async (spec, { signal } = {}) =>
      enqueueStudy(opts.warehouse, resolveLaunchedSpec(spec, opts.config), {
        log: opts.log,
        timings: opts.timings,
        signal,
      }),
    cancel: async (target) => requestCancel(await openQueue(), target),
    importPredictions: async (experiment, files, { signal } = {}) => {
      const study = await readPredictionTexts(files, {}, { signal });
      const outcome = await writeImportedStudy(
        opts.warehouse.db,
        { experiment, files: files.map((f) => f.name) },
        study,
        { signal },
      );
      return { experimentId: outcome.experimentId, runsImported: outcome.runsImported };
    },
    close: async () => {
      const open = queue;
      queue = undefined;
      if (open) await (await open.catch(() => undefined))?.close();
    },
  };
}
