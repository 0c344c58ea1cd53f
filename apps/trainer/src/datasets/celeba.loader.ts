/**
 * CelebA (Liu et al. 2015), aligned-and-cropped release:
 *   list_attr_celeba.txt     line 1: image count; line 2: the 40 attribute names; then one row
 *                            per image, `000001.jpg -1  1  1 -1 ...` (values ±1, space-padded)
 *   list_eval_partition.txt  `000001.jpg 0`, 0/1/2 = train/val/test
 *   img_align_celeba/*.jpg
 * Any attribute can be the label or a sensitive attribute; values -1/1 become codes 0/1 with
 * names 'no'/'yes'. The stable index is the row's position in list_attr_celeba.txt (0-based, so
 * 000001.jpg is 0 in the official files).
 */
import { join } from 'node:path';
import { ConfinedFiles } from './confined-files.ts';
import type { Attribute, LoadedDataset, SplitName } from './dataset.ts';
import { DatasetFormatError } from './dataset-format-error.ts';
import { splitLines } from './image-folder.loader.ts';
import {
  type DecodeIndexOptions,
  decodeImageDataset,
  type ImageDatasetIndex,
  type ImageSplitIndex,
} from './image-index.ts';

const partitionSplits: readonly SplitName[] = ['train', 'val', 'test'];
const binaryValues = ['no', 'yes'];

export interface CelebaOptions {
  /** The folder holding the two list files and img_align_celeba/. */
  root: string;
  /**
   * The folder's confinement when the caller already checked it (the worker:
   * ConfinedFiles.ofRealFolder of what confineDataPath returned); else `root` is resolved here.
   */
  within?: ConfinedFiles;
  /** Attribute to predict (default 'Smiling', as in the paper). */
  label?: string;
  /** Sensitive attributes (default ['Young', 'Male']). */
  sensitive?: string[];
  name?: string;
}

/** The attribute table: names, and per image its ±1 values as 0/1 codes (row-major). */
interface AttributeTable {
  names: string[];
  images: string[];
  /** images.length × names.length codes, 0 = -1 ('no'), 1 = 1 ('yes'). */
  codes: Uint8Array;
}

function parseAttributeTable(text: string, file: string): AttributeTable {
  const lines = splitLines(text);
  const countLine = lines[0] ?? '';
  if (!/^\s*\d+\s*$/.test(countLine)) {
    throw new DatasetFormatError(file, { line: 1 }, 'expected the image count (a whole number)');
  }
  const count = Number(countLine.trim());
  const names = (lines[1] ?? '').trim().split(/\s+/).filter(Boolean);
  if (names.length === 0) {
    throw new DatasetFormatError(file, { line: 2 }, 'expected the attribute names');
  }
  const rows = lines.slice(2);
  if (rows.length !== count) {
    throw new DatasetFormatError(
      file,
      { line: rows.length < count ? lines.length + 1 : count + 3 },
      `line 1 announces ${count} images but the file has ${rows.length} rows`,
    );
  }
  const images: string[] = [];
  const codes = new Uint8Array(count * names.length);
  rows.forEach((row, r) => {
    const where = { line: r + 3 };
    const fields = row.trim().split(/\s+/);
    const [image = ''] = fields;
    if (image === '' || fields.length !== names.length + 1) {
      throw new DatasetFormatError(
        file,
        where,
        `expected an image name and ${names.length} values, got ${Math.max(0, fields.length - 1)} values`,
      );
    }
    for (let a = 0; a < names.length; a++) {
      const value = fields[a + 1];
      if (value !== '1' && value !== '-1') {
        // Positions, not the text: a message must not quote the file (it may be shown to others).
        throw new DatasetFormatError(
          file,
          where,
          `value ${a + 1} of ${names.length} (field ${a + 2}) is not 1 or -1`,
        );
      }
      codes[r * names.length + a] = value === '1' ? 1 : 0;
    }
    images.push(image);
  });
  return { names, images, codes };
}

/** image name → { split, line }, from list_eval_partition.txt. */
function parsePartition(
  text: string,
  file: string,
): Map<string, { split: SplitName; line: number }> {
  const partition = new Map<string, { split: SplitName; line: number }>();
  splitLines(text).forEach((row, i) => {
    const where = { line: i + 1 };
    const fields = row.trim().split(/\s+/);
    const [image = '', code = ''] = fields;
    const split = /^[012]$/.test(code) ? partitionSplits[Number(code)] : undefined;
    if (fields.length !== 2 || image === '' || split === undefined) {
      throw new DatasetFormatError(file, where, 'expected "<image> <0|1|2>"');
    }
    const first = partition.get(image);
    if (first !== undefined) {
      throw new DatasetFormatError(
        file,
        where,
        `the image is listed twice (also on line ${first.line})`,
      );
    }
    partition.set(image, { split, line: i + 1 });
  });
  return partition;
}

function attributeColumn(table: AttributeTable, name: string, file: string): number {
  const column = table.names.indexOf(name);
  if (column < 0) {
    throw new DatasetFormatError(
      file,
      { line: 2 },
      `no attribute "${name}" among the ${table.names.length} names of the header`,
    );
  }
  return column;
}

/**
 * Reads the two list files and checks every listed image exists (one directory listing, no
 * decoding), so a 200k-image set can be counted and its attributes inspected in seconds.
 */
export async function indexCeleba(options: CelebaOptions): Promise<ImageDatasetIndex> {
  const { root, label = 'Smiling', sensitive = ['Young', 'Male'] } = options;
  const attrFile = join(root, 'list_attr_celeba.txt');
  const partitionFile = join(root, 'list_eval_partition.txt');
  const imageDir = join(root, 'img_align_celeba');
  const within = options.within ?? (await ConfinedFiles.of(root));
  const table = parseAttributeTable(await within.readText(attrFile), attrFile);
  const partition = parsePartition(await within.readText(partitionFile), partitionFile);
  const onDisk = new Set((await within.list(imageDir)).map((entry) => entry.name));

  const labelColumn = attributeColumn(table, label, attrFile);
  const sensitiveColumns = sensitive.map((name) => ({
    name,
    column: attributeColumn(table, name, attrFile),
  }));

  const rowsBySplit: Record<SplitName, number[]> = { train: [], val: [], test: [] };
  const seen = new Map<string, number>();
  table.images.forEach((image, r) => {
    const where = { line: r + 3 };
    const first = seen.get(image);
    if (first !== undefined) {
      throw new DatasetFormatError(
        attrFile,
        where,
        `the image is listed twice (also on line ${first})`,
      );
    }
    seen.set(image, where.line);
    const entry = partition.get(image);
    if (entry === undefined) {
      throw new DatasetFormatError(attrFile, where, 'the image is not in list_eval_partition.txt');
    }
    if (!onDisk.has(image)) {
      throw new DatasetFormatError(attrFile, where, 'the image is not in img_align_celeba/');
    }
    rowsBySplit[entry.split].push(r);
  });
  for (const [image, { line }] of partition) {
    if (!seen.has(image)) {
      throw new DatasetFormatError(
        partitionFile,
        { line },
        'the image is not in list_attr_celeba.txt',
      );
    }
  }

  const width = table.names.length;
  const codesOf = (rows: number[], column: number): Int32Array =>
    Int32Array.from(rows, (r) => table.codes[r * width + column] ?? 0);
  const splits: Partial<Record<SplitName, ImageSplitIndex>> = {};
  for (const split of partitionSplits) {
    const rows = rowsBySplit[split];
    if (rows.length === 0) continue;
    const attributes: Record<string, Int32Array> = {};
    for (const { name, column } of sensitiveColumns) attributes[name] = codesOf(rows, column);
    splits[split] = {
      files: rows.map((r) => join(imageDir, table.images[r] ?? '')),
      labels: codesOf(rows, labelColumn),
      attributes,
      indices: Int32Array.from(rows),
      within,
    };
  }

  const binary = (name: string): Attribute => ({ name, values: [...binaryValues] });
  return {
    name: options.name ?? 'celeba',
    label: binary(label),
    attributes: sensitive.map(binary),
    splits,
  };
}

export interface LoadCelebaOptions extends CelebaOptions, DecodeIndexOptions {
  /** Square side in pixels (resize the shorter side, centre crop; the images are 178×218). */
  size: number;
}

/** Indexes and decodes CelebA; pass `limit` to decode only the first examples of each split. */
export async function loadCelebaDataset(options: LoadCelebaOptions): Promise<LoadedDataset> {
  const { size, limit, concurrency, onProgress, ...indexOptions } = options;
  const index = await indexCeleba(indexOptions);
  return decodeImageDataset(index, size, { limit, concurrency, onProgress });
}
