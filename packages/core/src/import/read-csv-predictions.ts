import { unstorableCharacterIn } from '../input/unstorable-character.ts';
import { type CsvField, type CsvRecord, CsvSyntaxError, csvRecords } from './csv-records.ts';
import { importLimits, shown } from './import-limits.ts';
import {
  emptyTable,
  noteClassIndex,
  type PredictionTable,
  ProblemLog,
  parseClassIndex,
  parseProbability,
} from './prediction-table.ts';
import { parseHeaderLine } from './run-metadata.ts';

/** Accepted spellings of the three required columns (PyTorch/sklearn exports vary). */
const ID_COLUMNS = ['id', 'example_id'];
const LABEL_COLUMNS = ['label', 'y_true'];
const PRED_COLUMNS = ['pred', 'prediction', 'y_pred'];
const PROB_PREFIX = 'prob_';
const ATTR_PREFIX = 'attr_';

interface Layout {
  id: number;
  label: number;
  pred: number;
  /** Column index of prob_k at position k. */
  probs: number[];
  attrs: [name: string, column: number][];
  width: number;
}

function findColumn(names: string[], accepted: string[]): number {
  return names.findIndex((n) => accepted.includes(n));
}

function readLayout(
  file: string,
  header: CsvField[],
  log: ProblemLog,
  line: number,
): Layout | null {
  const names = header.map((f) => f.value.trim());
  const id = findColumn(names, ID_COLUMNS);
  const label = findColumn(names, LABEL_COLUMNS);
  const pred = findColumn(names, PRED_COLUMNS);
  const missing: string[] = [];
  if (id < 0) missing.push(`'${ID_COLUMNS.join("' or '")}'`);
  if (label < 0) missing.push(`'${LABEL_COLUMNS.join("' or '")}'`);
  if (pred < 0) missing.push(`'${PRED_COLUMNS.join("' or '")}'`);
  if (missing.length > 0) {
    log.add({
      file,
      line,
      column: 1,
      message: `the header row lacks the column ${missing.join(', ')}`,
    });
    return null;
  }
  const probByClass = new Map<number, number>();
  const attrs: [string, number][] = [];
  const known = new Set([id, label, pred]);
  names.forEach((name, column) => {
    if (known.has(column)) return;
    const at = header[column];
    if (name.startsWith(PROB_PREFIX)) {
      const k = parseClassIndex(name.slice(PROB_PREFIX.length));
      if (k === null || probByClass.has(k)) {
        log.add({
          file,
          line,
          column: at?.column,
          message: `bad or repeated probability column '${shown(name)}' (expected prob_0, prob_1, …)`,
        });
      } else probByClass.set(k, column);
    } else if (name.startsWith(ATTR_PREFIX) && name.length > ATTR_PREFIX.length) {
      attrs.push([name.slice(ATTR_PREFIX.length), column]);
    } else {
      log.add({
        file,
        line,
        column: at?.column,
        message: `unknown column '${shown(name)}' (expected id, label, pred, prob_<class>, attr_<name>)`,
      });
    }
  });
  if (attrs.length > importLimits.attributes) {
    const [, firstOver] = attrs[importLimits.attributes] as [string, number];
    log.add({
      file,
      line,
      column: header[firstOver]?.column,
      message: `${attrs.length} attribute columns (attr_…); at most ${importLimits.attributes}`,
    });
    return null;
  }
  if (probByClass.size > importLimits.classes) {
    log.add({
      file,
      line,
      message: `${probByClass.size} probability columns; at most ${importLimits.classes} (one per class)`,
    });
    return null;
  }
  const probs: number[] = [];
  for (let k = 0; k < probByClass.size; k++) {
    const column = probByClass.get(k);
    if (column === undefined) {
      log.add({
        file,
        line,
        message: `probability columns must be prob_0 … prob_${probByClass.size - 1}; prob_${k} is missing`,
      });
      return null;
    }
    probs.push(column);
  }
  return { id, label, pred, probs, attrs, width: names.length };
}

/**
 * Reads a CSV prediction file: optional `# key: value` metadata lines, a header row, then one
 * row per test example. Problems are collected, not thrown, so the user sees all of them.
 */
export async function readCsvPredictions(
  file: string,
  lines: AsyncIterable<string>,
): Promise<{ table: PredictionTable; problems: ProblemLog }> {
  const table = emptyTable(file);
  const log = new ProblemLog();
  let layout: Layout | null | undefined;
  let headerSeen = false;
  try {
    for await (const record of csvRecords(lines)) {
      if (hasUnstorable(file, record, log)) continue;
      if (record.kind === 'comment') {
        if (headerSeen) continue;
        const entry = parseHeaderLine(record.text);
        if (entry !== null) {
          if (Object.keys(table.header).length === 0) table.headerLine = record.line;
          table.header[entry[0]] = entry[1];
        }
        continue;
      }
      if (!headerSeen) {
        headerSeen = true;
        layout = readLayout(file, record.fields, log, record.line);
        if (layout !== null) {
          table.probWidth = layout.probs.length;
          for (const [name] of layout.attrs) table.attrs.set(name, []);
        }
        continue;
      }
      if (layout === null || layout === undefined) break;
      readRow(file, record.fields, record.line, layout, table, log);
    }
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    log.add({ file, line: error.line, column: error.column, message: error.message });
  }
  if (!headerSeen) log.add({ file, message: 'the file has no header row (id,label,pred,…)' });
  return { table, problems: log };
}

/**
 * PostgreSQL cannot store U+0000 or a lone surrogate; a record holding one is a problem at its
 * place, and skipped. (A file read as UTF-8 holds no lone surrogate; uploaded text may.)
 */
function hasUnstorable(file: string, record: CsvRecord, log: ProblemLog): boolean {
  if (record.kind === 'comment') {
    const bad = unstorableCharacterIn(record.text);
    if (bad === null) return false;
    log.add({ file, line: record.line, message: `contains ${bad.description}` });
    return true;
  }
  for (const field of record.fields) {
    const bad = unstorableCharacterIn(field.value);
    if (bad === null) continue;
    log.add({
      file,
      line: field.line,
      column: field.column,
      message: `contains ${bad.description}`,
    });
    return true;
  }
  return false;
}

/** A label or pred cell: a class index below the import's class limit, else a problem. */
function readClassIndex(
  file: string,
  field: CsvField,
  name: 'label' | 'pred',
  table: PredictionTable,
  log: ProblemLog,
): number | null {
  const value = parseClassIndex(field.value);
  if (value === null) {
    log.add({
      file,
      line: field.line,
      column: field.column,
      message: `${name} '${shown(field.value)}' is not a class index (0, 1, 2, …)`,
    });
    return null;
  }
  if (value >= importLimits.classes) {
    log.add({
      file,
      line: field.line,
      column: field.column,
      message: `${name} ${value} is beyond the largest class index an import takes (${importLimits.classes - 1}; at most ${importLimits.classes} classes)`,
    });
    return null;
  }
  noteClassIndex(table, { value, field: name, line: field.line, column: field.column });
  return value;
}

function readRow(
  file: string,
  fields: CsvField[],
  line: number,
  layout: Layout,
  table: PredictionTable,
  log: ProblemLog,
): void {
  if (fields.length !== layout.width) {
    log.add({ file, line, message: `${fields.length} fields, but the header has ${layout.width}` });
    return;
  }
  const cell = (column: number): CsvField => fields[column] as CsvField;
  const idField = cell(layout.id);
  const id = idField.value.trim();
  if (id === '') log.add({ file, line, column: idField.column, message: 'empty id' });
  const label = readClassIndex(file, cell(layout.label), 'label', table, log);
  const pred = readClassIndex(file, cell(layout.pred), 'pred', table, log);
  table.ids.push(id);
  table.labels.push(label ?? -1);
  table.preds.push(pred ?? -1);
  table.lines.push(line);
  for (const column of layout.probs) {
    const f = cell(column);
    const p = parseProbability(f.value);
    if (p === null)
      log.add({
        file,
        line,
        column: f.column,
        message: `probability '${shown(f.value)}' is not a number in [0, 1]`,
      });
    table.probs.push(p ?? Number.NaN);
  }
  for (const [name, column] of layout.attrs) table.attrs.get(name)?.push(cell(column).value.trim());
}
