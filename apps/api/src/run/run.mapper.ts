import type { RunRow } from '@kdlens/core/db';
import type { EpochMetricsType } from './epoch-metrics.type.ts';
import type { RunType } from './run.type.ts';

// History and live numbers are written by trainers; a missing or non-finite value shows as null.
const finite = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;

function toEpochMetrics(entry: RunRow['history'][number]): EpochMetricsType {
  return {
    epoch: entry.epoch,
    loss: finite(entry.loss),
    trainAccuracy: finite(entry.trainAccuracy),
    evalAccuracy: finite(entry.evalAccuracy),
    imagesPerSec: finite(entry.imagesPerSec),
    seconds: finite(entry.seconds),
  };
}

export function toRunType(row: RunRow): RunType {
  return {
    id: row.id,
    experimentId: row.experimentId,
    role: row.role,
    temperature: row.temperature,
    seed: row.seed,
    architecture: row.architecture,
    backend: row.backend,
    teacherOutputs: row.teacherOutputs,
    status: row.status,
    progress: row.progress,
    epoch: row.epoch,
    loss: finite(row.loss),
    // The finished run's test accuracy wins over the live column a trainer may have left behind.
    accuracy: row.summary?.accuracy ?? finite(row.accuracy),
    imagesPerSec: finite(row.imagesPerSec),
    etaSeconds: finite(row.etaSeconds),
    history: row.history.map(toEpochMetrics),
    classAccuracy: row.summary?.classAccuracy ?? null,
    classNames: row.summary?.classNames ?? null,
    error: row.error,
    attempt: row.attempt,
    worker: row.worker,
    heartbeatAt: row.heartbeatAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
