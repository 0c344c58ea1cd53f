// The public surface of @kdlens/core/export: tables of an experiment's results, written as CSV,
// JSON Lines or Parquet, streamed (kdlens export, GET /export/<experiment>/<table>.<format>).
export {
  type ExportFormat,
  type ExportRequest,
  ExportRequestError,
  type ExportRequestInput,
  type ExportTableName,
  exportFormats,
  exportTables,
  parseExportRequest,
} from './export-request.ts';
export type { ColumnType, ExportColumn, ExportTable, RowBatch } from './export-table.ts';
export { csvChunks } from './formats/csv.writer.ts';
export { jsonlChunks } from './formats/jsonl.writer.ts';
export { float32Text } from './formats/number-text.ts';
export { parquetChunks } from './formats/parquet.writer.ts';
export {
  DEFAULT_BATCH_ROWS,
  type PreparedExport,
  type PrepareExportOptions,
  prepareExport,
} from './prepare-export.ts';
export type { ExportAccess } from './table-context.ts';
