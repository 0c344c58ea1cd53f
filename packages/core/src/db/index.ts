export { dropDatabase, ensureDatabase, withDatabase } from './admin.ts';
export { connectionError, redactUrl } from './connection-error.ts';
export { createDatabase, type Database } from './database.ts';
export { EMBEDDED_DATABASE, startEmbeddedPostgres } from './embedded-postgres.ts';
export { migrateWarehouse, migrationStatus, migrationsFolder } from './migrate.ts';
export * from './queries/experiments.ts';
export * from './queries/runs.ts';
export * from './schema.ts';
export { embeddedDataDir, openWarehouse, type Warehouse } from './warehouse.ts';
