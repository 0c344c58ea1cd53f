import type { RunRow } from '@kdlens/core/db';
import type { RunType } from './run.type.ts';

export function toRunType(row: RunRow): RunType {
  return {
    id: row.id,
    experimentId: row.experimentId,
    role: row.role,
    temperature: row.temperature,
    seed: row.seed,
    architecture: row.architecture,
    backend: row.backend,
    status: row.status,
    progress: row.progress,
    epoch: row.epoch,
    accuracy: row.summary?.accuracy ?? null,
    classAccuracy: row.summary?.classAccuracy ?? null,
    classNames: row.summary?.classNames ?? null,
    error: row.error,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    createdAt: row.createdAt,
  };
}
