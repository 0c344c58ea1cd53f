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
export type { Executor, Transaction } from './queries/executor.ts';
export { findExperiment } from './queries/experiment-lookup.ts';
export * from './queries/experiments.ts';
export * from './queries/results-errors.ts';
export * from './queries/run-artifacts.ts';
export * from './queries/run-results.ts';
export * from './queries/runs.ts';
export {
  getStudySummary,
  loadStudyInput,
  recomputeStudySummary,
  type StoredStudySummary,
  summaryAtTemperature,
  type TemperatureSummary,
} from './queries/study-summaries.ts';
export { studySummarySchema } from './queries/study-summary.schema.ts';
export * from './queries/test-sets.ts';
export * from './schema.ts';
export { openScratchWarehouse, type ScratchWarehouse } from './scratch-warehouse.ts';
export { embeddedDataDir, openWarehouse, type Warehouse } from './warehouse.ts';
export { type WarehouseReadiness, warehouseReadiness } from './warehouse-readiness.ts';
