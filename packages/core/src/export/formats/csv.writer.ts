import { csvCell } from '../../report/csv-cell.ts';
import type { ExportTable } from '../export-table.ts';
import { type CellSyntax, columnText, joinRows } from './cell-text.ts';

// Text goes through csvCell, the rule every KDLens CSV follows: a cell a spreadsheet would take
// for a formula gets a leading quote, and `,;"\t\r\n` are quoted. Numbers are never touched.
const csvSyntax: CellSyntax = {
  nullText: '',
  text: csvCell,
  boolean: (v) => (v ? 'true' : 'false'),
  timestamp: (v) => v.toISOString(),
};

const encoder = new TextEncoder();

/**
 * RFC 4180 CSV (LF line ends, as pandas and R write): a header row with the column names, then
 * one line per row; an absent value is an empty cell. One chunk per batch.
 */
export async function* csvChunks(table: ExportTable): AsyncGenerator<Uint8Array> {
  yield encoder.encode(`${table.columns.map((c) => csvCell(c.name)).join(',')}\n`);
  for await (const batch of table.batches) {
    const cells = table.columns.map((c, i) =>
      columnText(c.type, batch.values[i] ?? { constant: null }, batch.rows, csvSyntax),
    );
    yield encoder.encode(joinRows(cells, batch.rows, ',', '', '\n'));
  }
}
