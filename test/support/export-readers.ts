// Independent readers of the export formats, for tests and the export bench: a small RFC 4180
// parser, JSON Lines, and Parquet through two readers that share no code with the writer
// (hyparquet, by the writer's authors but a separate package, and DuckDB's C++ reader).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export type JsonRow = Record<string, unknown>;

export function parseJsonl(text: string): JsonRow[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JsonRow);
}

const arrayBufferOf = (bytes: Buffer): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** Rows through hyparquet: INT32/FLOAT/DOUBLE as numbers, TIMESTAMP_MILLIS as Date. */
export async function readParquetHyparquet(bytes: Buffer): Promise<JsonRow[]> {
  return (await parquetReadObjects({ file: arrayBufferOf(bytes) })) as JsonRow[];
}

/** Each column's physical type, logical type and repetition, from the file's footer. */
export function parquetColumns(bytes: Buffer): {
  name: string;
  type: string | undefined;
  converted: string | undefined;
  repetition: string | undefined;
}[] {
  const meta = parquetMetadata(arrayBufferOf(bytes));
  return meta.schema.slice(1).map((e) => ({
    name: e.name,
    type: e.type,
    converted: e.converted_type,
    repetition: e.repetition_type,
  }));
}

/** Rows and DuckDB's column types (INTEGER, DOUBLE, FLOAT, VARCHAR, BOOLEAN, TIMESTAMP). */
export async function readParquetDuckdb(
  bytes: Buffer,
): Promise<{ rows: JsonRow[]; types: Record<string, string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kdlens-parquet-'));
  const file = join(dir, 'export.parquet');
  await writeFile(file, bytes);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const escaped = file.replaceAll("'", "''");
    const rows = (
      await connection.runAndReadAll(`select * from read_parquet('${escaped}')`)
    ).getRowObjectsJS() as JsonRow[];
    const described = (
      await connection.runAndReadAll(`describe select * from read_parquet('${escaped}')`)
    ).getRowObjectsJS();
    const types = Object.fromEntries(
      described.map((d) => [String(d.column_name), String(d.column_type)]),
    );
    return { rows, types };
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
