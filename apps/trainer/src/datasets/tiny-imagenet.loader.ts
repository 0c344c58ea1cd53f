/**
 * Tiny ImageNet (CS231n, 200 classes, 64×64) in the layout its zip unpacks to:
 *   wnids.txt                     one WordNet id per line; line order = class code
 *   words.txt                     `wnid<TAB>name, name, ...` (all of WordNet; first name is used)
 *   train/<wnid>/images/*.JPEG    500 per class (train/<wnid>/<wnid>_boxes.txt is not read)
 *   val/images/*.JPEG + val/val_annotations.txt  `file<TAB>wnid<TAB>x0<TAB>y0<TAB>x1<TAB>y1`
 *   test/                         unlabelled, ignored
 * The labelled val split is the evaluation split. Stable indices: train = position in class
 * order then sorted file name; val = row of val_annotations.txt (0-based).
 */
import { join } from 'node:path';
import { ConfinedFiles } from './confined-files.ts';
import type { LoadedDataset } from './dataset.ts';
import { DatasetFormatError } from './dataset-format-error.ts';
import {
  compareCodeUnits,
  imageExtension,
  parseSynsetNames,
  readableClassNames,
  splitLines,
} from './image-folder.loader.ts';
import {
  type DecodeIndexOptions,
  decodeImageDataset,
  type ImageDatasetIndex,
  type ImageSplitIndex,
} from './image-index.ts';

export interface TinyImagenetOptions {
  /** The folder holding wnids.txt, words.txt, train/ and val/ (`tiny-imagenet-200`). */
  root: string;
  /**
   * The folder's confinement when the caller already checked it (the worker:
   * ConfinedFiles.ofRealFolder of what confineDataPath returned); else `root` is resolved here.
   */
  within?: ConfinedFiles;
  name?: string;
}

export interface TinyImagenetIndex extends ImageDatasetIndex {
  /** WordNet id per class code (wnids.txt order). */
  wnids: string[];
}

function parseWnids(text: string, file: string): string[] {
  const wnids: string[] = [];
  // Messages say where and what was expected, never the line itself: a link to another file
  // would otherwise show its contents to whoever can read the run's error.
  const seen = new Map<string, number>();
  splitLines(text).forEach((line, i) => {
    const wnid = line.trim();
    if (wnid === '') {
      throw new DatasetFormatError(
        file,
        { line: i + 1 },
        'expected one WordNet id, got an empty line',
      );
    }
    if (/\s/.test(wnid)) {
      throw new DatasetFormatError(
        file,
        { line: i + 1 },
        'expected one WordNet id (such as n01443537), got several words',
      );
    }
    const first = seen.get(wnid);
    if (first !== undefined) {
      throw new DatasetFormatError(
        file,
        { line: i + 1 },
        `the WordNet id is listed twice (also on line ${first})`,
      );
    }
    seen.set(wnid, i + 1);
    wnids.push(wnid);
  });
  if (wnids.length === 0) throw new DatasetFormatError(file, undefined, 'lists no classes');
  return wnids;
}

/** Image file names in `dir`, sorted; anything else there is an error. */
async function listImageNames(within: ConfinedFiles, dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await within.list(dir)).map((entry) => entry.name);
  } catch (error) {
    if (error instanceof DatasetFormatError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatasetFormatError(dir, undefined, `cannot list images: ${reason}`);
  }
  const images: string[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue; // OS metadata such as .DS_Store
    if (!imageExtension.test(name)) {
      throw new DatasetFormatError(join(dir, name), undefined, 'not a .JPEG/.jpg/.png image');
    }
    images.push(name);
  }
  return images.sort(compareCodeUnits);
}

async function indexTrain(
  within: ConfinedFiles,
  root: string,
  wnids: string[],
): Promise<ImageSplitIndex> {
  const trainDir = join(root, 'train');
  const known = new Set(wnids);
  for (const { name: folder } of await within.list(trainDir)) {
    if (!folder.startsWith('.') && !known.has(folder)) {
      throw new DatasetFormatError(join(trainDir, folder), undefined, 'class not in wnids.txt');
    }
  }
  const files: string[] = [];
  const labels: number[] = [];
  for (const [code, wnid] of wnids.entries()) {
    const imagesDir = join(trainDir, wnid, 'images');
    const images = await listImageNames(within, imagesDir);
    if (images.length === 0) throw new DatasetFormatError(imagesDir, undefined, 'holds no images');
    for (const image of images) {
      files.push(join(imagesDir, image));
      labels.push(code);
    }
  }
  return {
    files,
    labels: Int32Array.from(labels),
    attributes: {},
    indices: Int32Array.from(files, (_, i) => i),
    within,
  };
}

async function indexVal(
  within: ConfinedFiles,
  root: string,
  wnids: string[],
): Promise<ImageSplitIndex> {
  const annotationsFile = join(root, 'val', 'val_annotations.txt');
  const imagesDir = join(root, 'val', 'images');
  const present = new Set(await listImageNames(within, imagesDir));
  const codeOf = new Map(wnids.map((wnid, code) => [wnid, code]));
  const listed = new Map<string, number>();
  const files: string[] = [];
  const labels: number[] = [];

  splitLines(await within.readText(annotationsFile)).forEach((line, i) => {
    const where = { line: i + 1 };
    const fields = line.split('\t');
    const [image = '', wnid = ''] = fields;
    if (fields.length !== 6 || image === '' || wnid === '') {
      throw new DatasetFormatError(
        annotationsFile,
        where,
        `expected 6 tab-separated fields (file, wnid, x0, y0, x1, y1), got ${fields.length}`,
      );
    }
    if (!fields.slice(2).every((v) => /^-?\d+$/.test(v))) {
      throw new DatasetFormatError(annotationsFile, where, `bounding box is not 4 integers`);
    }
    const code = codeOf.get(wnid);
    if (code === undefined) {
      throw new DatasetFormatError(
        annotationsFile,
        where,
        'field 2 (wnid): expected a WordNet id listed in wnids.txt',
      );
    }
    if (!present.has(image)) {
      throw new DatasetFormatError(
        annotationsFile,
        where,
        'field 1 (file): expected the name of an image in val/images/',
      );
    }
    const first = listed.get(image);
    if (first !== undefined) {
      throw new DatasetFormatError(
        annotationsFile,
        where,
        `field 1 (file): the image is annotated twice (also on line ${first})`,
      );
    }
    listed.set(image, i + 1);
    files.push(join(imagesDir, image));
    labels.push(code);
  });

  for (const image of present) {
    if (!listed.has(image)) {
      throw new DatasetFormatError(annotationsFile, undefined, `val/images/${image} has no label`);
    }
  }
  return {
    files,
    labels: Int32Array.from(labels),
    attributes: {},
    indices: Int32Array.from(files, (_, i) => i),
    within,
  };
}

/** Reads Tiny ImageNet's index files and lists its images (no decoding). */
export async function indexTinyImagenet(options: TinyImagenetOptions): Promise<TinyImagenetIndex> {
  const { root } = options;
  const wnidsFile = join(root, 'wnids.txt');
  const wordsFile = join(root, 'words.txt');
  const within = options.within ?? (await ConfinedFiles.of(root));
  const wnids = parseWnids(await within.readText(wnidsFile), wnidsFile);
  const words = parseSynsetNames(await within.readText(wordsFile), wordsFile, 'tab');
  wnids.forEach((wnid, i) => {
    if (!words.has(wnid)) {
      throw new DatasetFormatError(
        wnidsFile,
        { line: i + 1 },
        'the WordNet id has no entry in words.txt',
      );
    }
  });
  return {
    name: options.name ?? 'tiny-imagenet',
    label: { name: 'class', values: readableClassNames(wnids, words) },
    attributes: [],
    splits: {
      train: await indexTrain(within, root, wnids),
      val: await indexVal(within, root, wnids),
    },
    wnids,
  };
}

export interface LoadTinyImagenetOptions extends TinyImagenetOptions, DecodeIndexOptions {
  /** Square side in pixels; 64 keeps the images as published. */
  size?: number;
}

/** Reads and decodes Tiny ImageNet's train and val splits. */
export async function loadTinyImagenetDataset(
  options: LoadTinyImagenetOptions,
): Promise<LoadedDataset> {
  const { root, name, size = 64, ...decodeOptions } = options;
  const index = await indexTinyImagenet({ root, name });
  return decodeImageDataset(index, size, decodeOptions);
}
