import type { Cell, ColumnType, ColumnValues } from '../export-table.ts';
import { isConstant } from '../export-table.ts';
import { doubleText, float32Text, int32Text } from './number-text.ts';

/** How one format writes a present value of each type; absent values are `nullText`. */
export interface CellSyntax {
  nullText: string;
  text(value: string): string;
  boolean(value: boolean): string;
  timestamp(value: Date): string;
}

const numberText: Record<'int32' | 'double' | 'float', (v: number | null) => string | null> = {
  int32: int32Text,
  double: doubleText,
  float: float32Text,
};

function cellText(type: ColumnType, value: Cell, syntax: CellSyntax): string {
  if (value === null || value === undefined) return syntax.nullText;
  switch (type) {
    case 'int32':
    case 'double':
    case 'float':
      return numberText[type](typeof value === 'number' ? value : Number(value)) ?? syntax.nullText;
    case 'utf8':
      return syntax.text(typeof value === 'string' ? value : String(value));
    case 'boolean':
      return syntax.boolean(value === true);
    case 'timestamp':
      return value instanceof Date ? syntax.timestamp(value) : syntax.nullText;
  }
}

/**
 * A batch's column as text, one string per row, or one string for a constant column. Numbers are
 * formatted in a loop over the typed array, without a Cell per value.
 */
export function columnText(
  type: ColumnType,
  values: ColumnValues,
  rows: number,
  syntax: CellSyntax,
): string | string[] {
  if (isConstant(values)) return cellText(type, values.constant, syntax);
  const out = new Array<string>(rows);
  if (ArrayBuffer.isView(values) && type !== 'utf8') {
    const format = type === 'float' ? float32Text : type === 'int32' ? int32Text : doubleText;
    for (let r = 0; r < rows; r++) out[r] = format(values[r] as number) ?? syntax.nullText;
    return out;
  }
  for (let r = 0; r < rows; r++)
    out[r] = cellText(type, (values as ArrayLike<Cell>)[r] ?? null, syntax);
  return out;
}

/**
 * Rows of pre-formatted cells: `before` + cells joined by `separator` + `after`, per row. The
 * join is unrolled over columns so a constant column costs one string reference per row.
 */
export function joinRows(
  cells: readonly (string | string[])[],
  rows: number,
  separator: string,
  before: string,
  after: string,
  prefixes?: readonly string[],
): string {
  const parts: string[] = new Array(rows);
  const width = cells.length;
  for (let r = 0; r < rows; r++) {
    let line = before;
    for (let c = 0; c < width; c++) {
      const column = cells[c] as string | string[];
      if (c > 0) line += separator;
      if (prefixes) line += prefixes[c];
      line += typeof column === 'string' ? column : column[r];
    }
    parts[r] = line + after;
  }
  return parts.join('');
}
