/**
 * CIFAR-10 and CIFAR-100, "binary version" (Krizhevsky 2009, https://www.cs.toronto.edu/~kriz/cifar.html):
 * fixed-size records of label byte(s) then 3072 pixel bytes as R, G and B planes of 32×32,
 * row-major. CIFAR-10 records carry one label byte; CIFAR-100 records a coarse then a fine one.
 * The files have no header, so the record size is the only structure to check: a size that is
 * not a multiple of it is a cut download, and every label byte is range-checked.
 */
import { join } from 'node:path';
import { ConfinedFiles } from './confined-files.ts';
import type { Attribute, ImageSplit, LoadedDataset } from './dataset.ts';
import { DatasetFormatError } from './dataset-format-error.ts';

export type CifarDatasetName = 'cifar10' | 'cifar100';
export type CifarLabel = 'fine' | 'coarse';

export interface CifarDatasetOptions {
  /** The extracted archive's inner folder (`cifar-10-batches-bin`, `cifar-100-binary`) or its parent. */
  root: string;
  /**
   * The folder's confinement when the caller already checked it (the worker:
   * ConfinedFiles.ofRealFolder of what confineDataPath returned); else `root` is resolved here.
   */
  within?: ConfinedFiles;
  name: CifarDatasetName;
  /** CIFAR-100 only: which label the models predict (default 'fine'); the other becomes an attribute. */
  label?: CifarLabel;
}

/** As in the publisher's batches.meta.txt. */
export const cifar10ClassNames: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/**
 * As in the publisher's fine_label_names.txt (alphabetical, underscores for spaces). One string
 * split on spaces, because the names hold none and a 100-element literal would run 100 lines.
 */
export const cifar100FineLabelNames: readonly string[] = (
  'apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus ' +
  'butterfly camel can castle caterpillar cattle chair chimpanzee clock cloud cockroach couch ' +
  'crab crocodile cup dinosaur dolphin elephant flatfish forest fox girl hamster house kangaroo ' +
  'keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree motorcycle mountain ' +
  'mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree plain ' +
  'plate poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk ' +
  'skyscraper snail snake spider squirrel streetcar sunflower sweet_pepper table tank telephone ' +
  'television tiger tractor train trout tulip turtle wardrobe whale willow_tree wolf woman worm'
).split(' ');

/** As in the publisher's coarse_label_names.txt. */
export const cifar100CoarseLabelNames: readonly string[] = [
  'aquatic_mammals',
  'fish',
  'flowers',
  'food_containers',
  'fruit_and_vegetables',
  'household_electrical_devices',
  'household_furniture',
  'insects',
  'large_carnivores',
  'large_man-made_outdoor_things',
  'large_natural_outdoor_scenes',
  'large_omnivores_and_herbivores',
  'medium_mammals',
  'non-insect_invertebrates',
  'people',
  'reptiles',
  'small_mammals',
  'trees',
  'vehicles_1',
  'vehicles_2',
];

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXEL_BYTES = 3 * PLANE;

/** One label byte of a record: its attribute name, optional names file and the fallback names. */
interface LabelField {
  name: string;
  namesFile: string;
  defaults: readonly string[];
}

interface CifarLayout {
  title: string;
  innerFolder: string;
  files: Record<'train' | 'test', readonly string[]>;
  /** In record byte order. */
  fields: readonly LabelField[];
}

const layouts: Record<CifarDatasetName, CifarLayout> = {
  cifar10: {
    title: 'CIFAR-10',
    innerFolder: 'cifar-10-batches-bin',
    files: {
      train: [1, 2, 3, 4, 5].map((batch) => `data_batch_${batch}.bin`),
      test: ['test_batch.bin'],
    },
    fields: [{ name: 'class', namesFile: 'batches.meta.txt', defaults: cifar10ClassNames }],
  },
  cifar100: {
    title: 'CIFAR-100',
    innerFolder: 'cifar-100-binary',
    files: { train: ['train.bin'], test: ['test.bin'] },
    fields: [
      { name: 'coarse', namesFile: 'coarse_label_names.txt', defaults: cifar100CoarseLabelNames },
      { name: 'fine', namesFile: 'fine_label_names.txt', defaults: cifar100FineLabelNames },
    ],
  },
};

/** Reads the train and test splits, converting planar RGB to interleaved NHWC. */
export async function loadCifarDataset(options: CifarDatasetOptions): Promise<LoadedDataset> {
  const layout = layouts[options.name];
  if (options.name === 'cifar10' && options.label !== undefined) {
    throw new RangeError(
      `label: CIFAR-10 has a single label; 'label' (got '${options.label}') applies to cifar100 only`,
    );
  }
  const labelName = options.name === 'cifar100' ? (options.label ?? 'fine') : 'class';
  if (labelName !== 'class' && labelName !== 'fine' && labelName !== 'coarse') {
    throw new RangeError(`label: expected 'fine' or 'coarse', got '${String(labelName)}'`);
  }
  const within = options.within ?? (await ConfinedFiles.of(options.root));
  const folder = await findFolder(within, options.root, layout);
  const fields = await Promise.all(
    layout.fields.map(async (field) => ({
      name: field.name,
      values: await readNames(within, join(folder, field.namesFile), field.defaults),
    })),
  );
  const [train, test] = await Promise.all([
    readSplit(within, folder, 'train', layout, fields, labelName),
    readSplit(within, folder, 'test', layout, fields, labelName),
  ]);
  const label = fields.find((field) => field.name === labelName);
  if (label === undefined) throw new Error(`unreachable: no label field '${labelName}'`);
  return {
    name: options.name,
    label,
    attributes: fields.filter((field) => field !== label),
    splits: { train, test },
  };
}

/** Users point at whichever folder they extracted to; the test file tells us which it is. */
async function findFolder(
  within: ConfinedFiles,
  root: string,
  layout: CifarLayout,
): Promise<string> {
  const probe = layout.files.test[0] ?? '';
  for (const folder of [root, join(root, layout.innerFolder)]) {
    if (await within.exists(join(folder, probe))) return folder;
  }
  throw new DatasetFormatError(
    join(root, probe),
    undefined,
    `not found: expected the ${layout.title} binary files in ${root} or ${join(root, layout.innerFolder)}`,
  );
}

/** One name per line; trailing blank lines (the publisher's files end with some) are ignored. */
async function readNames(
  within: ConfinedFiles,
  path: string,
  defaults: readonly string[],
): Promise<string[]> {
  if (!(await within.exists(path))) return [...defaults];
  const lines = (await within.readText(path)).split(/\r?\n/).map((line) => line.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((name, i) => {
    if (name === '') throw new DatasetFormatError(path, { line: i + 1 }, 'empty class name');
    if (lines.indexOf(name) !== i) {
      throw new DatasetFormatError(
        path,
        { line: i + 1 },
        `duplicate class name (also on line ${lines.indexOf(name) + 1})`,
      );
    }
  });
  if (lines.length !== defaults.length) {
    throw new DatasetFormatError(
      path,
      { line: Math.min(lines.length, defaults.length) + 1 },
      `has ${lines.length} class names, expected ${defaults.length}`,
    );
  }
  return lines;
}

async function readSplit(
  within: ConfinedFiles,
  folder: string,
  split: 'train' | 'test',
  layout: CifarLayout,
  fields: readonly Attribute[],
  labelName: string,
): Promise<ImageSplit> {
  const paths = layout.files[split].map((file) => join(folder, file));
  for (const path of paths) {
    if (!(await within.exists(path))) {
      throw new DatasetFormatError(path, undefined, `not found: ${layout.title} ${split} file`);
    }
  }
  const files = await Promise.all(
    paths.map(async (path) => ({ path, bytes: await within.readFile(path) })),
  );
  const recordBytes = layout.fields.length + PIXEL_BYTES;
  for (const { path, bytes } of files) checkSize(path, bytes.length, recordBytes, layout);

  const count = files.reduce((sum, { bytes }) => sum + bytes.length / recordBytes, 0);
  const pixels = new Uint8Array(count * PIXEL_BYTES);
  const columns = fields.map((field) => ({ field, codes: new Int32Array(count) }));
  let example = 0;
  for (const { path, bytes } of files) {
    const records = bytes.length / recordBytes;
    for (let record = 0; record < records; record++, example++) {
      const start = record * recordBytes;
      columns.forEach(({ field, codes }, f) => {
        const code = bytes[start + f] ?? 0;
        if (code >= field.values.length) {
          throw new DatasetFormatError(
            path,
            { byteOffset: start + f },
            `${field.name} label ${code} of record ${record} is out of range 0..${field.values.length - 1}`,
          );
        }
        codes[example] = code;
      });
      planarToInterleaved(bytes, start + columns.length, pixels, example * PIXEL_BYTES);
    }
  }

  const attributes: Record<string, Int32Array> = {};
  for (const { field, codes } of columns) {
    if (field.name !== labelName) attributes[field.name] = codes;
  }
  const labels = columns.find(({ field }) => field.name === labelName)?.codes;
  if (labels === undefined) throw new Error(`unreachable: no label field '${labelName}'`);
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;
  return {
    kind: 'image',
    split,
    pixels,
    count,
    height: SIDE,
    width: SIDE,
    channels: 3,
    labels,
    attributes,
    indices,
  };
}

function checkSize(path: string, size: number, recordBytes: number, layout: CifarLayout): void {
  if (size === 0) {
    throw new DatasetFormatError(
      path,
      { byteOffset: 0 },
      `empty; expected ${layout.title} records`,
    );
  }
  const whole = Math.floor(size / recordBytes);
  if (whole * recordBytes !== size) {
    throw new DatasetFormatError(
      path,
      { byteOffset: whole * recordBytes },
      `record ${whole} is truncated (${size - whole * recordBytes} of ${recordBytes} bytes): ` +
        `the file size ${size} is not a multiple of the ${layout.title} record size`,
    );
  }
}

/** R, G, B planes of one record → RGB triplets (NHWC), the layout the models consume. */
function planarToInterleaved(
  source: Uint8Array,
  sourceStart: number,
  target: Uint8Array,
  targetStart: number,
): void {
  for (let p = 0; p < PLANE; p++) {
    const t = targetStart + 3 * p;
    const s = sourceStart + p;
    target[t] = source[s] ?? 0;
    target[t + 1] = source[s + PLANE] ?? 0;
    target[t + 2] = source[s + 2 * PLANE] ?? 0;
  }
}
