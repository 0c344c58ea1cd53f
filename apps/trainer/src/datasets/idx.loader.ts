/**
 * MNIST and Fashion-MNIST in LeCun's IDX format: a big-endian header (magic 0x00000803 for
 * images, 0x00000801 for labels — two zero bytes, type 0x08 = unsigned byte, the number of
 * dimensions — then one uint32 per dimension) followed by the raw bytes. Publishers ship the
 * files gzipped; some mirrors and distributions unpack them, so both are read, told apart by the
 * gzip magic bytes rather than the file name.
 */
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ConfinedFiles } from './confined-files.ts';
import type { ImageSplit, LoadedDataset, SplitName } from './dataset.ts';
import { DatasetFormatError } from './dataset-format-error.ts';

export type IdxDatasetName = 'mnist' | 'fashion-mnist';

export interface IdxDatasetOptions {
  /** The folder holding the four IDX files (gzipped or not). */
  root: string;
  /**
   * The folder's confinement when the caller already checked it (the worker:
   * ConfinedFiles.ofRealFolder of what confineDataPath returned); else `root` is resolved here.
   */
  within?: ConfinedFiles;
  name: IdxDatasetName;
}

/** Class names in label-code order; Fashion-MNIST's as in the publisher's README. */
export const idxClassNames: Record<IdxDatasetName, readonly string[]> = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  'fashion-mnist': [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ],
};

const IMAGE_MAGIC = 0x00000803;
const LABEL_MAGIC = 0x00000801;
/** Both data sets are 28×28 grey; anything else means the wrong files. */
const SIDE = 28;
const IMAGE_HEADER_BYTES = 16;
const LABEL_HEADER_BYTES = 8;

/** Reads the train and test splits; every header, size and label is checked before use. */
export async function loadIdxDataset(options: IdxDatasetOptions): Promise<LoadedDataset> {
  const classNames = idxClassNames[options.name];
  const within = options.within ?? (await ConfinedFiles.of(options.root));
  // 't10k' is the publisher's name for the test set.
  const [train, test] = await settledInOrder([
    loadSplit(within, options.root, 'train', 'train', classNames),
    loadSplit(within, options.root, 'test', 't10k', classNames),
  ]);
  return {
    name: options.name,
    label: { name: 'class', values: [...classNames] },
    attributes: [],
    splits: { train, test },
  };
}

/**
 * Both results once both have settled, else the first failure in argument order. Unlike
 * Promise.all, no read is still running when the loader answers (a caller that then deletes
 * the folder saw a late, unhandled ENOENT), and the error named does not depend on timing.
 */
async function settledInOrder<A, B>(promises: [Promise<A>, Promise<B>]): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled(promises);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}

async function loadSplit(
  within: ConfinedFiles,
  root: string,
  split: SplitName,
  stem: string,
  classNames: readonly string[],
): Promise<ImageSplit> {
  const [imagesPath, labelsPath] = await settledInOrder([
    findIdxFile(within, root, `${stem}-images-idx3-ubyte`),
    findIdxFile(within, root, `${stem}-labels-idx1-ubyte`),
  ]);
  const [images, labels] = await settledInOrder([
    readIdxFile(within, imagesPath),
    readIdxFile(within, labelsPath),
  ]);
  const imageDims = readHeader(images, IMAGE_MAGIC, 3);
  const [count = 0, rows = 0, cols = 0] = imageDims;
  if (rows !== SIDE) images.fail(8, `images have ${rows} rows, expected ${SIDE}`);
  if (cols !== SIDE) images.fail(12, `images have ${cols} columns, expected ${SIDE}`);
  checkDataLength(images, IMAGE_HEADER_BYTES, count, rows * cols, 'image');

  const [labelCount = 0] = readHeader(labels, LABEL_MAGIC, 1);
  checkDataLength(labels, LABEL_HEADER_BYTES, labelCount, 1, 'label');
  if (labelCount !== count) {
    labels.fail(
      4,
      `declares ${labelCount} labels but ${basename(images.path)} declares ${count} images`,
    );
  }

  const codes = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const code = labels.bytes[LABEL_HEADER_BYTES + i] ?? 0;
    if (code >= classNames.length) {
      labels.fail(
        LABEL_HEADER_BYTES + i,
        `label ${code} of example ${i} is out of range 0..${classNames.length - 1}`,
      );
    }
    codes[i] = code;
  }
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;

  return {
    kind: 'image',
    split,
    // slice copies, so the split owns exactly its pixels rather than pinning the whole file.
    pixels: images.bytes.slice(IMAGE_HEADER_BYTES, IMAGE_HEADER_BYTES + count * rows * cols),
    count,
    height: rows,
    width: cols,
    channels: 1,
    labels: codes,
    attributes: {},
    indices,
  };
}

/** One IDX file's (decompressed) bytes and a way to report a problem at a byte offset in them. */
interface IdxFile {
  path: string;
  bytes: Uint8Array;
  fail(byteOffset: number, problem: string): never;
}

/** The plain file if present (no decompression needed), else the `.gz` one. */
async function findIdxFile(within: ConfinedFiles, root: string, stem: string): Promise<string> {
  for (const candidate of [stem, `${stem}.gz`]) {
    const path = join(root, candidate);
    if (await within.exists(path)) return path;
  }
  throw new DatasetFormatError(
    join(root, stem),
    undefined,
    `not found: expected ${stem} or ${stem}.gz in ${root}`,
  );
}

async function readIdxFile(within: ConfinedFiles, path: string): Promise<IdxFile> {
  const raw = await within.readFile(path);
  if (!(raw[0] === 0x1f && raw[1] === 0x8b)) {
    return { path, bytes: asPlainBytes(raw), fail: failAt(path, '') };
  }
  return {
    path,
    bytes: asPlainBytes(gunzip(path, raw)),
    // Offsets are into what the IDX parser sees; say so, or users would look in the .gz bytes.
    fail: failAt(path, ' (offset in the gunzipped data)'),
  };
}

function gunzip(path: string, raw: Buffer): Buffer {
  try {
    return gunzipSync(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    // zlib reports no position for corrupt blocks; only a cut-off stream has a known place: its end.
    throw new DatasetFormatError(
      path,
      code === 'Z_BUF_ERROR' ? { byteOffset: raw.length } : undefined,
      `gzip data is ${code === 'Z_BUF_ERROR' ? 'truncated' : 'corrupt'} (zlib: ${reason})`,
    );
  }
}

/** A Uint8Array view, so `slice` copies (Buffer's `slice` would alias). */
function asPlainBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function failAt(path: string, note: string): IdxFile['fail'] {
  return (byteOffset, problem) => {
    throw new DatasetFormatError(path, { byteOffset }, `${problem}${note}`);
  };
}

/** Checks the magic number and returns the dimensions. */
function readHeader(file: IdxFile, magic: number, dimensions: number): number[] {
  const { bytes } = file;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expected = `${hex(magic)} (IDX ${magic === IMAGE_MAGIC ? 'images' : 'labels'})`;
  if (bytes.length < 4) {
    file.fail(bytes.length, `file ends after ${bytes.length} bytes, before the magic number`);
  }
  const found = view.getUint32(0);
  if (found !== magic) {
    const known =
      found === IMAGE_MAGIC ? ' (IDX images)' : found === LABEL_MAGIC ? ' (IDX labels)' : '';
    file.fail(0, `magic number ${hex(found)}${known}, expected ${expected}`);
  }
  const headerBytes = 4 + 4 * dimensions;
  if (bytes.length < headerBytes) {
    file.fail(bytes.length, `header is truncated: ${headerBytes} bytes expected`);
  }
  const dims: number[] = [];
  for (let d = 0; d < dimensions; d++) dims.push(view.getUint32(4 + 4 * d));
  return dims;
}

/** The data must be exactly count records: a short file is a cut download, a long one the wrong file. */
function checkDataLength(
  file: IdxFile,
  headerBytes: number,
  count: number,
  recordBytes: number,
  what: string,
): void {
  const available = file.bytes.length - headerBytes;
  const expected = count * recordBytes;
  if (available < expected) {
    const record = Math.floor(available / recordBytes);
    const present = available - record * recordBytes;
    file.fail(
      headerBytes + record * recordBytes,
      present === 0
        ? `data ends before ${what} ${record}; the header declares ${count}`
        : `${what} ${record} is truncated (${present} of ${recordBytes} bytes); the header declares ${count}`,
    );
  }
  if (available > expected) {
    file.fail(
      headerBytes + expected,
      `${available - expected} bytes follow the ${count} ${what}s the header declares`,
    );
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
