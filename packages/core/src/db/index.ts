export { dropDatabase, ensureDatabase, withDatabase } from './admin.ts';
export { connectionError, redactUrl } from './connection-error.ts';
export { createDatabase, type Database } from './database.ts';
export { isDatabaseUnavailable } from './database-unavailable.ts';
export { embeddedPasswordFile } from './embedded-password.ts';
export {
  EMBEDDED_DATABASE,
  type EmbeddedServer,
  startEmbeddedPostgres,
} from './embedded-postgres.ts';
export { migrateWarehouse, migrationStatus, migrationsFolder } from './migrate.ts';
export * from './queries/api-tokens.ts';
export * from './queries/array-codec.ts';
export * from './queries/data-version.ts';
export type { Executor, Transaction } from './queries/executor.ts';
export * from './queries/experiment-page.ts';
export * from './queries/experiments.ts';
export { type StoredGroupMetrics, storedGroupMetricsSchema } from './queries/result-tables.ts';
export * from './queries/results-errors.ts';
export * from './queries/run-artifacts.ts';
// Writes of results go through core's results module (src/results/), which computes them.
export {
  loadRunPredictions,
  type RunClassAccuracyRow,
  type RunGroupMetricsRow,
  readPredictedLabels,
  readRunClassAccuracies,
  readRunGroupMetrics,
  type StoredRunPredictions,
} from './queries/run-results.ts';
export * from './queries/runs.ts';
export { readStudyHeadlines, type StudyHeadline } from './queries/study-summaries.ts';
export {
  examplesDigest,
  FEATURE_SLICE_BYTES,
  readTestLabels,
  readTestSetHeaders,
  readTestSetIdentities,
  type TestSetHeader,
  type TestSetIdentity,
} from './queries/test-sets.ts';
export * from './schema.ts';
export { openScratchWarehouse, type ScratchWarehouse } from './scratch-warehouse.ts';
export { embeddedDataDir, openWarehouse, type Warehouse } from './warehouse.ts';
export { type WarehouseReadiness, warehouseReadiness } from './warehouse-readiness.ts';
