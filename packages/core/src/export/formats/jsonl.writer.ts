import type { ExportTable } from '../export-table.ts';
import { type CellSyntax, columnText, joinRows } from './cell-text.ts';

// Text is kept as it is (JSON escapes it): formula-safety is a spreadsheet's concern, not JSON's.
const jsonSyntax: CellSyntax = {
  nullText: 'null',
  text: (v) => JSON.stringify(v),
  boolean: (v) => (v ? 'true' : 'false'),
  timestamp: (v) => JSON.stringify(v.toISOString()),
};

const encoder = new TextEncoder();

/**
 * JSON Lines: one object per row, keys in column order, every column present (null where the
 * value is absent), so `pandas.read_json(…, lines=True)` gets the same columns as the CSV.
 */
export async function* jsonlChunks(table: ExportTable): AsyncGenerator<Uint8Array> {
  const prefixes = table.columns.map((c) => `${JSON.stringify(c.name)}:`);
  for await (const batch of table.batches) {
    const cells = table.columns.map((c, i) =>
      columnText(c.type, batch.values[i] ?? { constant: null }, batch.rows, jsonSyntax),
    );
    yield encoder.encode(joinRows(cells, batch.rows, ',', '{', '}\n', prefixes));
  }
}
