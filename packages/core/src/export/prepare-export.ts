import type { Database } from '../db/database.ts';
import { findExperiment } from '../db/queries/experiments.ts';
import { openReadSnapshot } from '../db/queries/read-snapshot.ts';
import {
  type ExportFormat,
  type ExportRequest,
  ExportRequestError,
  type ExportRequestInput,
  type ExportTableName,
  parseExportRequest,
  quoted,
} from './export-request.ts';
import type { ExportTable } from './export-table.ts';
import { csvChunks } from './formats/csv.writer.ts';
import { jsonlChunks } from './formats/jsonl.writer.ts';
import { parquetChunks } from './formats/parquet.writer.ts';
import type { ExportAccess, TableContext, TableSource } from './table-context.ts';
import { classAccuracyTable } from './tables/class-accuracy.table.ts';
import { classComparisonTable } from './tables/class-comparison.table.ts';
import { fairnessTable } from './tables/fairness.table.ts';
import { groupsTable } from './tables/groups.table.ts';
import { predictionsTable } from './tables/predictions.table.ts';
import { runsTable } from './tables/runs.table.ts';
import { significanceTable } from './tables/significance.table.ts';

/** Every table, by the name users type. */
const tableSources: Record<ExportTableName, TableSource> = {
  predictions: predictionsTable,
  'class-accuracy': classAccuracyTable,
  'class-comparison': classComparisonTable,
  significance: significanceTable,
  groups: groupsTable,
  fairness: fairnessTable,
  runs: runsTable,
};

/** Every format: its writer and how HTTP names it. */
const formats: Record<
  ExportFormat,
  { chunks: (table: ExportTable) => AsyncIterable<Uint8Array>; contentType: string }
> = {
  csv: { chunks: csvChunks, contentType: 'text/csv; charset=utf-8' },
  jsonl: { chunks: jsonlChunks, contentType: 'application/x-ndjson; charset=utf-8' },
  // Registered with IANA in 2024.
  parquet: { chunks: parquetChunks, contentType: 'application/vnd.apache.parquet' },
};

/** Rows per batch and Parquet row group: bounded memory, yet row groups large enough to scan. */
export const DEFAULT_BATCH_ROWS = 25_000;

export interface PreparedExport {
  request: ExportRequest;
  experiment: { id: string; name: string };
  /** `<experiment name>-<table>.<format>`, for Content-Disposition or a default --out. */
  fileName: string;
  contentType: string;
  /**
   * The file, chunk by chunk. Reads start at the first pull, in one read-only snapshot held until
   * the last chunk or until the consumer stops early (return/throw close it).
   */
  body(): AsyncGenerator<Uint8Array>;
}

export interface PrepareExportOptions {
  /** Default: the reader sees server paths (the CLI: the server's owner). */
  access?: ExportAccess;
  batchRows?: number;
  /**
   * How long the snapshot may wait between two batches before PostgreSQL ends it (a reader that
   * stopped taking rows); unset: no limit (the CLI writes as fast as its disk).
   */
  idleTimeoutMs?: number;
}

/**
 * Checks an export request and finds its experiment (by id or name): an ExportRequestError
 * naming the argument comes before any byte is produced, so the HTTP route can still answer
 * 400/404 and the CLI write nothing.
 */
export async function prepareExport(
  db: Database,
  input: ExportRequestInput,
  options: PrepareExportOptions = {},
): Promise<PreparedExport> {
  const request = parseExportRequest(input);
  const experiment = await findExperiment(db, request.experiment);
  if (!experiment) {
    throw new ExportRequestError(
      'experiment',
      'not-found',
      `no experiment is named or has the id ${quoted(request.experiment)}`,
    );
  }
  const access = options.access ?? { seesServerPaths: true, serverFolders: [] };
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const format = formats[request.format];
  return {
    request,
    experiment: { id: experiment.id, name: experiment.name },
    fileName: `${experiment.name}-${request.table}.${request.format}`,
    contentType: format.contentType,
    async *body() {
      const snapshot = await openReadSnapshot(
        db,
        options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs },
      );
      try {
        const ctx: TableContext = { db: snapshot.tx, experiment, request, access, batchRows };
        const table = await tableSources[request.table](ctx);
        yield* format.chunks(table);
      } finally {
        await snapshot.close();
      }
    },
  };
}
