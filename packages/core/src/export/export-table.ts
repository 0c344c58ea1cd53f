/**
 * A table as the export writers take it: typed columns, then rows in batches, column by column.
 * Columnar because Parquet is (a row group is one array per column) and because CSV and JSON
 * Lines format a whole column's numbers in one tight loop; a batch is also the unit of memory,
 * so a table of millions of rows never sits in memory at once.
 */

/**
 * How a column's values are typed in every format. `float` holds float32 values (stored
 * probabilities): Parquet FLOAT, and in text the shortest decimal that reads back as the same
 * float32 (0.8, not 0.800000011920929). `timestamp` is Parquet TIMESTAMP_MILLIS (UTC), ISO 8601 in
 * text.
 */
export type ColumnType = 'int32' | 'double' | 'float' | 'utf8' | 'boolean' | 'timestamp';

export interface ExportColumn {
  /** snake_case, the same in every format. */
  name: string;
  type: ColumnType;
  /** Whether a row may lack the value (empty in CSV, null in JSON Lines and Parquet). */
  nullable: boolean;
}

export type Cell = number | string | boolean | Date | null;

/** The same value in every row of a batch (a run's id, say): formatted once, not per row. */
export interface ConstantColumn {
  constant: Cell;
}

/**
 * One column's values in a batch: a plain array (null where absent; NaN or ±∞ in a number column
 * is absent too), a typed array for numbers without gaps, or one value for every row.
 */
export type ColumnValues =
  | readonly Cell[]
  | Int32Array
  | Float32Array
  | Float64Array
  | ConstantColumn;

export interface RowBatch {
  rows: number;
  /** values[c] holds column c's values for the batch's rows. */
  values: readonly ColumnValues[];
}

export interface ExportTable {
  columns: readonly ExportColumn[];
  /** Read lazily: a batch is fetched only when the writer asks for it. */
  batches: AsyncIterable<RowBatch>;
}

export function isConstant(values: ColumnValues): values is ConstantColumn {
  return !ArrayBuffer.isView(values) && !Array.isArray(values);
}

/** Column c's value at row r, whatever its representation. */
export function cellAt(values: ColumnValues, r: number): Cell {
  if (isConstant(values)) return values.constant;
  return (values as ArrayLike<Cell>)[r] ?? null;
}

export const column = (name: string, type: ColumnType, nullable = false): ExportColumn => ({
  name,
  type,
  nullable,
});
