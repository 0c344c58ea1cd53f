export { isLoopbackHost } from './access/loopback-host.ts';
export { type Config, envSchema, loadConfig } from './config/env.ts';
export * from './domain/api-token.ts';
export * from './domain/architectures.ts';
export * from './domain/backend.ts';
export * from './domain/datasets.ts';
export * from './domain/experiment-annotations.ts';
export * from './domain/run.ts';
export * from './domain/run-error-text.ts';
export * from './domain/uuid.ts';
export { ConfigError, isUserActionable, KdlensError, WarehouseError } from './errors.ts';
export type { ImportedRun, ImportedStudy, ImportedTestSet } from './import/assemble-import.ts';
export { ImportError, type ImportProblem } from './import/import-error.ts';
export { importLimits } from './import/import-limits.ts';
export {
  type ReadOptions,
  readPredictionFiles,
  readPredictionTexts,
} from './import/read-prediction-files.ts';
export {
  type ImportOutcome,
  type ImportTarget,
  type WriteImportOptions,
  writeImportedStudy,
} from './import/write-import.ts';
export { type ExcessNesting, findExcessNesting } from './input/nesting-depth.ts';
export {
  findUnstorableCharacter,
  lineAt,
  type UnstorableAt,
  type UnstorableCharacter,
  unstorableCharacterIn,
  type ValuePath,
} from './input/unstorable-character.ts';
export { onShutdown } from './lifecycle/on-shutdown.ts';
export { exitCodes, reportFailure } from './lifecycle/report-failure.ts';
export { summarizeError } from './log/error-summary.ts';
export { createLogger, type Logger } from './log/logger.ts';
export { armLabel } from './report/arm-label.ts';
export { csvCell } from './report/csv-cell.ts';
export { intersectionalReport } from './report/intersectional-report.ts';
export { type ReportFormat, renderReport, reportFormats } from './report/render-report.ts';
export type { ReportTable } from './report/report-table.ts';
export { studyReport } from './report/study-report.ts';
export * from './spec/index.ts';
