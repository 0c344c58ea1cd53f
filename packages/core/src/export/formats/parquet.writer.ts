import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { ColumnType, ColumnValues, ExportColumn, ExportTable } from '../export-table.ts';
import { isConstant } from '../export-table.ts';

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];
type ColumnSource = Parameters<ParquetWriter['write']>[0]['columnData'][number];

/** Parquet's physical and logical type of each column type; text is UTF-8. */
const physical: Record<ColumnType, Pick<SchemaElement, 'type' | 'converted_type'>> = {
  int32: { type: 'INT32' },
  double: { type: 'DOUBLE' },
  float: { type: 'FLOAT' },
  utf8: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  boolean: { type: 'BOOLEAN' },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
};

export function parquetSchema(columns: readonly ExportColumn[]): SchemaElement[] {
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map(
      (c): SchemaElement => ({
        name: c.name,
        ...physical[c.type],
        repetition_type: c.nullable ? 'OPTIONAL' : 'REQUIRED',
      }),
    ),
  ];
}

/**
 * hyparquet-writer's ByteWriter, emptied into `chunks` after every row group (ParquetWriter
 * calls flush() then): the file never sits in memory, only the row group being encoded does.
 */
class ChunkedByteWriter extends ByteWriter {
  readonly chunks: Uint8Array[] = [];

  flush(): void {
    if (this.index === 0) return;
    // A copy: the buffer is reused for the next row group.
    this.chunks.push(new Uint8Array(this.buffer.slice(0, this.index)));
    this.index = 0;
  }

  override finish(): void {
    this.flush();
  }

  take(): Uint8Array[] {
    return this.chunks.splice(0, this.chunks.length);
  }
}

/**
 * A batch's column as hyparquet-writer takes it: typed arrays as they are when they have no
 * gaps, else a plain array with null for every absent value (NaN included), so nulls are real
 * Parquet nulls (definition level 0), not NaN.
 */
function parquetValues(
  column: ExportColumn,
  values: ColumnValues,
  rows: number,
): ColumnSource['data'] {
  const numeric = column.type === 'int32' || column.type === 'double' || column.type === 'float';
  if (isConstant(values)) {
    const v = values.constant;
    const present = v !== null && !(numeric && !Number.isFinite(v));
    return new Array(rows).fill(present ? v : null);
  }
  if (ArrayBuffer.isView(values)) {
    if (values instanceof Int32Array) return values.subarray(0, rows);
    let finite = true;
    for (let r = 0; r < rows; r++) {
      if (!Number.isFinite(values[r] as number)) {
        finite = false;
        break;
      }
    }
    if (finite) return values.subarray(0, rows);
    return Array.from(values.subarray(0, rows), (v) => (Number.isFinite(v) ? v : null));
  }
  const out = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const v = values[r] ?? null;
    out[r] = numeric && (typeof v !== 'number' || !Number.isFinite(v)) ? null : v;
  }
  return out;
}

/**
 * Apache Parquet through hyparquet-writer (pure JavaScript, maintained by Hyperparam): one row
 * group per batch, snappy-compressed, with column statistics; every column typed, nullable ones
 * OPTIONAL. The file is emitted row group by row group, and the footer last.
 */
export async function* parquetChunks(table: ExportTable): AsyncGenerator<Uint8Array> {
  const writer = new ChunkedByteWriter(1 << 20);
  const pq = new ParquetWriter({
    writer,
    schema: parquetSchema(table.columns),
    createdBy: 'KDLens (hyparquet-writer 0.17.0)',
  });
  for await (const batch of table.batches) {
    if (batch.rows === 0) continue;
    const columnData = table.columns.map(
      (c, i): ColumnSource => ({
        name: c.name,
        data: parquetValues(c, batch.values[i] ?? { constant: null }, batch.rows),
      }),
    );
    await pq.write({ columnData, rowGroupSize: batch.rows });
    yield* writer.take();
  }
  await pq.finish();
  yield* writer.take();
}
