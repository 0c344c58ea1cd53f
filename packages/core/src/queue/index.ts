export { type CancelResult, requestCancel } from './cancel.ts';
export { type DeletedExperiment, deleteExperiment, runningRefusal } from './delete-experiment.ts';
export { type FetchedJob, fetchTrainUnitJob, type WorkerScope } from './fetch-train-unit.ts';
export { type JobState, jobStates, type QueueGauges, readQueueGauges } from './queue-gauges.ts';
export { PG_BOSS_SCHEMA, type QueueName, queueNames } from './queue-names.ts';
export { queueSettings } from './queue-settings.ts';
export { enqueueExperiment, enqueueReady, type ReconcileResult } from './reconcile.ts';
export {
  type CancelTarget,
  type ClaimedRun,
  claimRun,
  finishRun,
  heartbeatRun,
  insertMissingRuns,
  type Liveness,
  type QueueUnit,
  type RunOutcome,
  type UnitProgress,
  writeRunProgress,
} from './run-claims.ts';
export {
  defaultQueueTimings,
  type OpenStudyQueueOptions,
  openStudyQueue,
  type QueueTimings,
  type StudyQueue,
} from './study-queue.ts';
export { type TrainUnitPayload, trainUnitJob, trainUnitPriority } from './train-unit.job.ts';
export { waitForExperiment } from './wait-for-experiment.ts';
