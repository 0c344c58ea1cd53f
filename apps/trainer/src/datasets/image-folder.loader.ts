/**
 * ImageFolder layout, as torchvision reads it: `<root>/<split>/<class>/**\/*.(jpg|jpeg|png)`, with
 * `<split>` one of train, val, test. ImageNet prepared the usual way (`<root>/{train,val}/<wnid>/
 * *.JPEG`) is this layout too.
 *
 * Rules, chosen to give the same class codes and example order as torchvision's ImageFolder:
 * - Class codes: class folder names sorted by UTF-16 code unit (Python's `sorted` agrees for
 *   every name without astral characters), taken from the first split present (train, then val,
 *   then test). Another split may hold fewer classes but not a class the first one lacks.
 * - Example order (= stable index): classes in code order, then image paths relative to the class
 *   folder in the same sort order; images in nested folders count (torchvision walks them too).
 * - Image extensions, any case: .jpg .jpeg .png. Names starting with '.' (OS metadata such as
 *   .DS_Store) are ignored; any other file is an error rather than a silent skip.
 * - Readable class names, optional: `<root>/words.txt` (WordNet/Tiny ImageNet: `wnid<TAB>name,
 *   name, ...`) or else `<root>/LOC_synset_mapping.txt` (Kaggle ImageNet: `wnid name, name, ...`).
 *   The readable name is the first comma-separated name; names shared by two classes (ImageNet's
 *   two 'crane's) become `name (folder)`. Without either file the folder names are the names.
 */
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { ConfinedFiles, isMissing } from './confined-files.ts';
import { type LoadedDataset, type SplitName, splitNames } from './dataset.ts';
import { DatasetFormatError } from './dataset-format-error.ts';
import {
  type DecodeIndexOptions,
  decodeImageDataset,
  type ImageDatasetIndex,
  type ImageSplitIndex,
} from './image-index.ts';

/** The image files the folder loaders read (others are errors, dotfiles are skipped). */
export const imageExtension = /\.(jpe?g|png)$/i;

/** Sort by UTF-16 code unit: locale-independent, so class codes do not depend on the machine. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lines of a text file without their terminators (LF or CRLF); a final newline adds no line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Parses a WordNet id → names file: `words.txt` (`n01440764<TAB>tench, Tinca tinca`) or
 * `LOC_synset_mapping.txt` (`n01440764 tench, Tinca tinca`). Returns id → first name.
 */
export function parseSynsetNames(
  text: string,
  file: string,
  separator: 'tab' | 'space',
): Map<string, string> {
  const names = new Map<string, string>();
  const lineOfId = new Map<string, number>();
  splitLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const at = separator === 'tab' ? line.indexOf('\t') : line.search(/\s/);
    const id = at < 0 ? line : line.slice(0, at);
    const first = at < 0 ? '' : (line.slice(at + 1).split(',')[0] ?? '').trim();
    if (id === '' || first === '') {
      const expected = separator === 'tab' ? 'id<TAB>name, name, ...' : 'id name, name, ...';
      throw new DatasetFormatError(file, { line: i + 1 }, `expected "${expected}"`);
    }
    const seenOn = lineOfId.get(id);
    if (seenOn !== undefined) {
      throw new DatasetFormatError(file, { line: i + 1 }, `duplicate id (also on line ${seenOn})`);
    }
    names.set(id, first);
    lineOfId.set(id, i + 1);
  });
  return names;
}

/** Readable names for `ids`, disambiguating repeats as `name (id)`. */
export function readableClassNames(ids: readonly string[], names: Map<string, string>): string[] {
  const readable = ids.map((id) => names.get(id) ?? id);
  const uses = new Map<string, number>();
  for (const name of readable) uses.set(name, (uses.get(name) ?? 0) + 1);
  return readable.map((name, i) => ((uses.get(name) ?? 0) > 1 ? `${name} (${ids[i]})` : name));
}

async function readIfPresent(files: ConfinedFiles, file: string): Promise<string | undefined> {
  try {
    return await files.readText(file);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function isDirectory(files: ConfinedFiles, dir: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  // ImageNet copies are often trees of symlinks; follow them as torchvision does, as long as
  // they stay inside the data set's folder: the stat refuses a link (to a folder or to an image)
  // that leads out, so indexing fails before anything is decoded.
  if (entry.isSymbolicLink()) return (await files.stat(join(dir, entry.name))).isDirectory();
  return false;
}

async function listEntries(files: ConfinedFiles, dir: string): Promise<Dirent[]> {
  const entries = await files.list(dir);
  return entries
    .filter((entry) => !entry.name.startsWith('.'))
    .sort((a, b) => compareCodeUnits(a.name, b.name));
}

/** Image paths under `dir`, relative to it, sorted by code unit. */
async function listImages(files: ConfinedFiles, dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await listEntries(files, join(dir, prefix))) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (await isDirectory(files, join(dir, prefix), entry)) {
      found.push(...(await listImages(files, dir, relative)));
    } else if (imageExtension.test(entry.name)) {
      found.push(relative);
    } else {
      throw new DatasetFormatError(
        join(dir, relative),
        undefined,
        'not a .jpg/.jpeg/.png image; ImageFolder class folders hold only images',
      );
    }
  }
  return found.sort(compareCodeUnits);
}

async function listClassFolders(files: ConfinedFiles, splitDir: string): Promise<string[]> {
  const folders: string[] = [];
  for (const entry of await listEntries(files, splitDir)) {
    if (!(await isDirectory(files, splitDir, entry))) {
      throw new DatasetFormatError(
        join(splitDir, entry.name),
        undefined,
        'expected only class folders in a split folder',
      );
    }
    folders.push(entry.name);
  }
  return folders;
}

async function readClassNames(
  files: ConfinedFiles,
  root: string,
  classFolders: string[],
): Promise<string[]> {
  const sources = [
    { file: join(root, 'words.txt'), separator: 'tab' },
    { file: join(root, 'LOC_synset_mapping.txt'), separator: 'space' },
  ] as const;
  for (const { file, separator } of sources) {
    const text = await readIfPresent(files, file);
    if (text === undefined) continue;
    const names = parseSynsetNames(text, file, separator);
    const missing = classFolders.filter((folder) => !names.has(folder));
    if (missing.length > 0) {
      throw new DatasetFormatError(
        file,
        undefined,
        `no name for class folder(s) ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`,
      );
    }
    return readableClassNames(classFolders, names);
  }
  return classFolders;
}

export interface ImageFolderOptions {
  root: string;
  /**
   * The folder's confinement when the caller already checked it (the worker:
   * ConfinedFiles.ofRealFolder of what confineDataPath returned); else `root` is resolved here.
   */
  within?: ConfinedFiles;
  name?: string;
}

/** An ImageFolder index: the folder name behind each class code, besides the readable names. */
export interface ImageFolderIndex extends ImageDatasetIndex {
  classFolders: string[];
}

/**
 * Lists an ImageFolder tree (no decoding). Index i of a split = its i-th file in torchvision order.
 * Every file and folder must lie inside `root` after symlinks (see ConfinedFiles).
 */
export async function indexImageFolder(options: ImageFolderOptions): Promise<ImageFolderIndex> {
  const { root } = options;
  const within = options.within ?? (await ConfinedFiles.of(root));
  const present: { split: SplitName; dir: string; folders: string[] }[] = [];
  for (const split of splitNames) {
    const dir = join(root, split);
    const info = await within.stat(dir).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw error;
    });
    if (info?.isDirectory()) {
      present.push({ split, dir, folders: await listClassFolders(within, dir) });
    }
  }
  const first = present[0];
  if (first === undefined) {
    throw new DatasetFormatError(root, undefined, 'no train/, val/ or test/ folder found');
  }
  const classFolders = first.folders;
  if (classFolders.length === 0) {
    throw new DatasetFormatError(first.dir, undefined, 'holds no class folders');
  }
  const codeOf = new Map(classFolders.map((folder, code) => [folder, code]));

  const splits: Partial<Record<SplitName, ImageSplitIndex>> = {};
  for (const { split, dir, folders } of present) {
    const files: string[] = [];
    const labels: number[] = [];
    for (const folder of folders) {
      const code = codeOf.get(folder);
      if (code === undefined) {
        throw new DatasetFormatError(
          join(dir, folder),
          undefined,
          `class folder not in ${first.split}/ (its classes define the label codes)`,
        );
      }
      const images = await listImages(within, join(dir, folder));
      if (images.length === 0) {
        throw new DatasetFormatError(join(dir, folder), undefined, 'class folder holds no images');
      }
      for (const image of images) {
        files.push(join(dir, folder, image));
        labels.push(code);
      }
    }
    splits[split] = {
      files,
      labels: Int32Array.from(labels),
      attributes: {},
      indices: Int32Array.from(files, (_, i) => i),
      within,
    };
  }

  return {
    name: options.name ?? 'image-folder',
    label: { name: 'class', values: await readClassNames(within, root, classFolders) },
    attributes: [],
    splits,
    classFolders,
  };
}

export interface LoadImageFolderOptions extends ImageFolderOptions, DecodeIndexOptions {
  /** Square side in pixels after resize-shorter-side + centre crop. */
  size: number;
}

/** Lists and decodes an ImageFolder tree into a LoadedDataset. */
export async function loadImageFolderDataset(
  options: LoadImageFolderOptions,
): Promise<LoadedDataset> {
  const { root, size, name = 'image-folder', ...decodeOptions } = options;
  const index = await indexImageFolder({ root, name });
  return decodeImageDataset(index, size, decodeOptions);
}
