/**
 * RFC 4180 CSV, read one record at a time from a line stream, keeping the line and column of
 * every field so a bad value can be reported where the user's editor will find it.
 *
 * Why not a CSV library: none of the small ones report field positions, and prediction files
 * are plain (no BOM games, one delimiter); the whole grammar is the quote handling below.
 * Lines starting with '#' outside a quoted field are comments (the run metadata header).
 */

import { KdlensError } from '../errors.ts';

export interface CsvField {
  value: string;
  line: number;
  column: number;
}

export type CsvRecord =
  | { kind: 'comment'; text: string; line: number }
  | { kind: 'row'; fields: CsvField[]; line: number };

/** A record that breaks the CSV grammar (an unclosed quote…); says where, by line and column. */
export class CsvSyntaxError extends KdlensError {
  override readonly name = 'CsvSyntaxError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** Parses records from lines (without their terminators); a quoted field may span lines. */
export async function* csvRecords(lines: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let lineNo = 0;
  let fields: CsvField[] = [];
  let value = '';
  let quoted = false;
  let fieldLine = 0;
  let fieldColumn = 0;
  let recordLine = 0;
  let inRecord = false;

  for await (const raw of lines) {
    lineNo += 1;
    const line = lineNo === 1 && raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
    if (!inRecord) {
      if (line.startsWith('#')) {
        yield { kind: 'comment', text: line.slice(1), line: lineNo };
        continue;
      }
      if (line.trim() === '') continue;
      inRecord = true;
      recordLine = lineNo;
      fields = [];
      value = '';
      fieldLine = lineNo;
      fieldColumn = 1;
    } else {
      // Only reachable inside a quoted field that spans lines.
      value += '\n';
    }
    let i = 0;
    while (i < line.length) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          quoted = false;
          i += 1;
          const next = line[i];
          if (next !== undefined && next !== ',') {
            throw new CsvSyntaxError(`unexpected '${next}' after a closing quote`, lineNo, i + 1);
          }
          continue;
        }
        value += ch;
        i += 1;
        continue;
      }
      if (ch === ',') {
        fields.push({ value, line: fieldLine, column: fieldColumn });
        value = '';
        fieldLine = lineNo;
        fieldColumn = i + 2;
        i += 1;
        continue;
      }
      if (ch === '"' && value === '' && fieldColumn === i + 1) {
        quoted = true;
        i += 1;
        continue;
      }
      if (ch === '"') throw new CsvSyntaxError('a quote inside an unquoted field', lineNo, i + 1);
      value += ch;
      i += 1;
    }
    if (quoted) continue;
    fields.push({ value, line: fieldLine, column: fieldColumn });
    inRecord = false;
    yield { kind: 'row', fields, line: recordLine };
  }
  if (quoted) throw new CsvSyntaxError('a quoted field is never closed', fieldLine, fieldColumn);
}
