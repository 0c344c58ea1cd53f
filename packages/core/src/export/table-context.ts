import type { Executor } from '../db/queries/executor.ts';
import type { ExperimentRow } from '../db/schema.ts';
import type { RunRole } from '../domain/run.ts';
import type { ExportRequest } from './export-request.ts';
import { type Cell, column, type ExportColumn, type ExportTable } from './export-table.ts';

/** Who reads the export, for the one column that can hold server paths (a run's error). */
export interface ExportAccess {
  /** Operators, admins and the CLI (the server's owner) see paths; viewers and anonymous do not. */
  seesServerPaths: boolean;
  /** Folders shown whole as the data set's name to those who do not (see redactServerPaths). */
  serverFolders: readonly string[];
}

/** What a table reads from: a read snapshot, the experiment, the request and who asks. */
export interface TableContext {
  db: Executor;
  experiment: Pick<ExperimentRow, 'id' | 'name' | 'dataset' | 'spec'>;
  request: ExportRequest;
  access: ExportAccess;
  /** Rows per batch, and so per Parquet row group. */
  batchRows: number;
}

/** A table's columns are known before its rows are read (the predictions' depend on the runs). */
export type TableSource = (ctx: TableContext) => Promise<ExportTable>;

/** The columns that say which run a row belongs to, first in every per-run table. */
export const runColumns: readonly ExportColumn[] = [
  column('experiment', 'utf8'),
  column('run_id', 'utf8'),
  column('role', 'utf8'),
  column('temperature', 'double', true),
  column('seed', 'int32'),
  column('architecture', 'utf8'),
];

export interface RunIdentity {
  runId: string;
  role: RunRole;
  temperature: number | null;
  seed: number;
  architecture: string;
}

export function runCells(experiment: string, run: RunIdentity): Cell[] {
  return [experiment, run.runId, run.role, run.temperature, run.seed, run.architecture];
}
