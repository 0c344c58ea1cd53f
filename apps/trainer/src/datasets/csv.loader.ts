/**
 * A data set described by one CSV file with a header row: one row per example, naming either an
 * image file (`path`, relative to the CSV's folder) or the text itself (`text`), the label, any
 * sensitive attribute columns, and optionally the split.
 *
 * Rules:
 * - Parsing follows RFC 4180: comma-separated; a field may be quoted with ", and inside quotes ""
 *   is a quote and commas and line breaks are data; records end with CRLF or LF; a leading UTF-8
 *   BOM is ignored. Every record must have as many fields as the header.
 * - Label and attribute codes: the column's distinct values sorted, then numbered from 0. Values
 *   sort numerically when every value of the column is a number ('2' < '10'), else by UTF-16 code
 *   unit ('Female' < 'Male' < 'female'). Empty values are errors, not a category.
 * - Split column values are train, val or test; without a split column every row is train.
 * - Stable index: the row's position among the data rows (0-based, header excluded).
 * - Text rows are tokenised by tokenizeText; the vocabulary comes from the train rows only.
 * - Image paths, relative to the CSV's folder or absolute, must lie inside that folder, also after
 *   symlinks (checked when each image is read): a CSV must not reach files beside its data.
 */
import { dirname, resolve } from 'node:path';
import { isPathInside } from '@kdlens/core';
import { ConfinedFiles } from './confined-files.ts';
import {
  type Attribute,
  type LoadedDataset,
  type SplitName,
  splitNames,
  type TextSplit,
} from './dataset.ts';
import { DatasetFormatError } from './dataset-format-error.ts';
import {
  type DecodeIndexOptions,
  decodeImageDataset,
  type ImageDatasetIndex,
  type ImageSplitIndex,
} from './image-index.ts';
import { tokenizeText } from './text/tokenizer.ts';
import { buildVocabulary, encodeDocuments } from './text/vocabulary.ts';

/** One CSV record and the (1-based) line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Parses RFC 4180 CSV into records; throws DatasetFormatError with line and column. */
export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const n = source.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const record: CsvRecord = { line, fields: [] };
    let endOfRecord = false;
    while (!endOfRecord) {
      const column = record.fields.length + 1;
      let value = '';
      if (source[i] === '"') {
        const openedAt = line;
        i++;
        for (;;) {
          if (i >= n) {
            throw new DatasetFormatError(
              file,
              { line: openedAt },
              `column ${column}: quoted field is never closed`,
            );
          }
          const c = source[i];
          if (c === '"') {
            if (source[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        const after = source[i];
        if (
          !(i >= n || after === ',' || after === '\n' || (after === '\r' && source[i + 1] === '\n'))
        ) {
          throw new DatasetFormatError(
            file,
            { line },
            `column ${column}: unexpected character after a closing quote (expected a comma or the end of the line)`,
          );
        }
      } else {
        const start = i;
        while (i < n) {
          const c = source[i];
          if (c === ',' || c === '\n' || (c === '\r' && source[i + 1] === '\n')) break;
          if (c === '"') {
            throw new DatasetFormatError(
              file,
              { line },
              `column ${column}: a quote inside an unquoted field (quote the whole field and double the quote)`,
            );
          }
          i++;
        }
        value = source.slice(start, i);
      }
      record.fields.push(value);
      if (i >= n) {
        endOfRecord = true;
      } else if (source[i] === ',') {
        i++;
      } else {
        i += source[i] === '\r' ? 2 : 1;
        line++;
        endOfRecord = true;
      }
    }
    records.push(record);
  }
  return records;
}

/** A NUL ends a path early in the kernel; other control characters only hide what it says. */
function hasControlCharacter(value: string): boolean {
  return Array.from(value).some((c) => (c.codePointAt(0) ?? 0) < 0x20 || c === '\u007f');
}

/** Codes for a column's values: distinct values sorted (numerically if all are numbers). */
export function valueCodes(values: readonly string[]): string[] {
  const distinct = [...new Set(values)];
  const numeric = distinct.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  return numeric
    ? distinct.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0))
    : distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface CsvDatasetOptions extends DecodeIndexOptions {
  /** The CSV file. */
  file: string;
  /**
   * The folder's confinement when the caller already checked it (the worker:
   * ConfinedFiles.ofRealFolder of what confineDataPath returned); else `the CSV's folder` is resolved here.
   */
  within?: ConfinedFiles;
  /** Column of image paths, relative to the CSV's folder (or absolute); they must lie inside it. */
  path?: string;
  /** Column of text. Exactly one of `path` and `text` is required. */
  text?: string;
  /** Column of the label to predict. */
  label: string;
  /** Columns of sensitive attributes. */
  attributes?: string[];
  /** Column holding train/val/test. */
  split?: string;
  /** Image rows: square side in pixels (required with `path`). */
  size?: number;
  /** Text rows: token ids per example (default 64). */
  maxLength?: number;
  /** Text rows: train tokens seen fewer times map to <unk> (default 1). */
  minCount?: number;
  name?: string;
}

interface Column {
  name: string;
  index: number;
}

/**
 * A CSV data set before any image is decoded: text rows come tokenised (cheap); image rows come
 * as an index of files, with the CSV line of each image for error messages.
 */
export type CsvIndex =
  | { kind: 'text'; dataset: LoadedDataset }
  | {
      kind: 'image';
      index: ImageDatasetIndex;
      lineOfImage: Map<string, number>;
      /** Names the image column in messages, e.g. `column 2 ("path")`. */
      imageColumn: string;
    };

/** Reads a CSV-described data set, decoding image rows or tokenising text rows. */
export async function loadCsvDataset(options: CsvDatasetOptions): Promise<LoadedDataset> {
  const indexed = await indexCsvDataset(options);
  if (indexed.kind === 'text') return indexed.dataset;
  try {
    return await decodeImageDataset(indexed.index, options.size ?? 0, {
      concurrency: options.concurrency,
      onProgress: options.onProgress,
    });
  } catch (error) {
    // Point at the CSV row, which is what the user edits, not only at the image.
    const line =
      error instanceof DatasetFormatError ? indexed.lineOfImage.get(error.file) : undefined;
    if (error instanceof DatasetFormatError && line !== undefined) {
      throw new DatasetFormatError(
        options.file,
        { line },
        `${indexed.imageColumn}: ${error.message}`,
      );
    }
    throw error;
  }
}

/** Parses and checks the CSV and codes its columns, without decoding images. */
export async function indexCsvDataset(options: CsvDatasetOptions): Promise<CsvIndex> {
  const { file, limit } = options;
  if ((options.path === undefined) === (options.text === undefined)) {
    throw new TypeError('loadCsvDataset: give exactly one of `path` (images) or `text`');
  }
  if (options.path !== undefined && options.size === undefined) {
    throw new TypeError('loadCsvDataset: image rows need `size`');
  }
  const baseDir = dirname(file);
  const within = options.within ?? (await ConfinedFiles.of(baseDir));
  const records = parseCsv(await within.readText(file), file);
  const [header, ...rows] = records;
  if (header === undefined) throw new DatasetFormatError(file, undefined, 'is empty');

  const column = (name: string): Column => {
    const index = header.fields.indexOf(name);
    if (index < 0) {
      throw new DatasetFormatError(
        file,
        { line: header.line },
        // The header is not quoted back: its text may be any file's first line (a pointed-at
        // secret), and messages are stored where other users read them.
        `no column "${name}" in the header (it has ${header.fields.length} column${header.fields.length === 1 ? '' : 's'})`,
      );
    }
    return { name, index };
  };
  const describe = (col: Column) => `column ${col.index + 1} ("${col.name}")`;
  const cell = (row: CsvRecord, col: Column): string => {
    const value = row.fields[col.index] ?? '';
    if (value === '') {
      throw new DatasetFormatError(file, { line: row.line }, `${describe(col)} is empty`);
    }
    return value;
  };

  for (const row of rows) {
    if (row.fields.length !== header.fields.length) {
      throw new DatasetFormatError(
        file,
        { line: row.line },
        `${row.fields.length} fields, the header has ${header.fields.length}`,
      );
    }
  }

  const labelColumn = column(options.label);
  const attributeColumns = (options.attributes ?? []).map(column);
  const splitColumn = options.split === undefined ? undefined : column(options.split);
  const contentColumn = column(options.path ?? options.text ?? '');

  const attributeOf = (col: Column): { attribute: Attribute; codes: Int32Array } => {
    const values = rows.map((row) => cell(row, col));
    const names = valueCodes(values);
    const codeOf = new Map(names.map((value, code) => [value, code]));
    return {
      attribute: { name: col.name, values: names },
      codes: Int32Array.from(values, (value) => codeOf.get(value) ?? 0),
    };
  };
  const label = attributeOf(labelColumn);
  const attributes = attributeColumns.map(attributeOf);

  const rowsBySplit: Record<SplitName, number[]> = { train: [], val: [], test: [] };
  const splitOf = (row: CsvRecord): SplitName => {
    if (splitColumn === undefined) return 'train';
    const value = cell(row, splitColumn);
    const split = splitNames.find((name) => name === value);
    if (split === undefined) {
      throw new DatasetFormatError(
        file,
        { line: row.line },
        `${describe(splitColumn)} is not one of ${splitNames.join(', ')}`,
      );
    }
    return split;
  };
  rows.forEach((row, r) => {
    const rowsOfSplit = rowsBySplit[splitOf(row)];
    if (limit === undefined || rowsOfSplit.length < limit) rowsOfSplit.push(r);
  });

  const pick = (codes: Int32Array, picked: number[]) =>
    Int32Array.from(picked, (r) => codes[r] ?? 0);
  const attributesFor = (picked: number[]): Record<string, Int32Array> =>
    Object.fromEntries(attributes.map((a) => [a.attribute.name, pick(a.codes, picked)]));
  const present = splitNames.filter((split) => rowsBySplit[split].length > 0);
  const base = {
    name: options.name ?? 'csv',
    label: label.attribute,
    attributes: attributes.map((a) => a.attribute),
  };

  if (options.text !== undefined) {
    const documents = rows.map((row) => tokenizeText(row.fields[contentColumn.index] ?? ''));
    const vocabulary = buildVocabulary(
      rowsBySplit.train.map((r) => documents[r] ?? []),
      { minCount: options.minCount },
    );
    const maxLength = options.maxLength ?? 64;
    const splits: LoadedDataset['splits'] = {};
    for (const split of present) {
      const picked = rowsBySplit[split];
      const textSplit: TextSplit = {
        kind: 'text',
        split,
        tokens: encodeDocuments(
          picked.map((r) => documents[r] ?? []),
          vocabulary,
          maxLength,
        ),
        count: picked.length,
        maxLength,
        labels: pick(label.codes, picked),
        attributes: attributesFor(picked),
        indices: Int32Array.from(picked),
      };
      splits[split] = textSplit;
    }
    return { kind: 'text', dataset: { ...base, splits, vocabulary: vocabulary.tokens } };
  }

  const lineOfImage = new Map<string, number>();
  const imageOf = rows.map((row) => {
    const value = cell(row, contentColumn);
    const image = resolve(baseDir, value);
    // The value is not quoted back: it names a file outside the data, which is what a hostile
    // CSV probes for, and messages are stored where other users read them.
    if (hasControlCharacter(value) || !isPathInside(image, baseDir)) {
      throw new DatasetFormatError(
        file,
        { line: row.line },
        `${describe(contentColumn)}: the image path leads outside the CSV's folder; image paths must be relative to the CSV and stay inside its folder`,
      );
    }
    if (!lineOfImage.has(image)) lineOfImage.set(image, row.line);
    return image;
  });
  const splits: Partial<Record<SplitName, ImageSplitIndex>> = {};
  for (const split of present) {
    const picked = rowsBySplit[split];
    splits[split] = {
      files: picked.map((r) => imageOf[r] ?? ''),
      labels: pick(label.codes, picked),
      attributes: attributesFor(picked),
      indices: Int32Array.from(picked),
      within,
    };
  }
  return {
    kind: 'image',
    index: { ...base, splits },
    lineOfImage,
    imageColumn: describe(contentColumn),
  };
}
