import { KdlensError } from '@kdlens/core';
import type { DatasetSummary } from './dataset-summary.ts';
import { summarizeDataset } from './dataset-summary.ts';

/** Options `kdlens datasets inspect` passes on; each data set reads the ones it knows. */
export interface InspectOptions {
  root?: string;
  label?: string;
  sensitive?: string[];
  /** CSV only: the column of image paths, or of text. */
  pathColumn?: string;
  textColumn?: string;
  splitColumn?: string;
}

export interface DatasetEntry {
  name: string;
  description: string;
  /** The publisher's files the loader reads. */
  files: string;
  /** What can be the label and what the sensitive attributes. */
  attributes: string;
  /** Counts without decoding images where the format allows it. */
  inspect(options: InspectOptions): Promise<DatasetSummary>;
}

function needRoot(name: string, options: InspectOptions): string {
  if (!options.root) throw new KdlensError(`${name}: give the data folder with --root <dir>`);
  return options.root;
}

// Loaders are imported inside `inspect` so that listing data sets loads no decoder.
export const datasets: readonly DatasetEntry[] = [
  {
    name: 'mnist',
    description: 'handwritten digits, 28×28 grayscale',
    files: 'train/t10k -images-idx3-ubyte, -labels-idx1-ubyte (gzipped or not)',
    attributes: 'label: digit (10 classes)',
    async inspect(o) {
      const { loadIdxDataset } = await import('./idx.loader.ts');
      return summarizeDataset(await loadIdxDataset({ root: needRoot('mnist', o), name: 'mnist' }));
    },
  },
  {
    name: 'fashion-mnist',
    description: 'Zalando clothing images, 28×28 grayscale (Debian: dataset-fashion-mnist)',
    files: 'train/t10k -images-idx3-ubyte, -labels-idx1-ubyte (gzipped or not)',
    attributes: 'label: article (10 classes)',
    async inspect(o) {
      const { loadIdxDataset } = await import('./idx.loader.ts');
      const root = o.root ?? '/usr/share/datasets/fashion-mnist';
      return summarizeDataset(await loadIdxDataset({ root, name: 'fashion-mnist' }));
    },
  },
  {
    name: 'cifar10',
    description: 'CIFAR-10, 32×32 colour, binary version',
    files: 'data_batch_1..5.bin, test_batch.bin, batches.meta.txt',
    attributes: 'label: class (10)',
    async inspect(o) {
      const { loadCifarDataset } = await import('./cifar.loader.ts');
      return summarizeDataset(
        await loadCifarDataset({ root: needRoot('cifar10', o), name: 'cifar10' }),
      );
    },
  },
  {
    name: 'cifar100',
    description: 'CIFAR-100, 32×32 colour, binary version',
    files: 'train.bin, test.bin, fine_label_names.txt, coarse_label_names.txt',
    attributes: 'label: fine (100) or coarse (20); the other is an attribute',
    async inspect(o) {
      const { loadCifarDataset } = await import('./cifar.loader.ts');
      const label = o.label === 'coarse' ? 'coarse' : 'fine';
      return summarizeDataset(
        await loadCifarDataset({ root: needRoot('cifar100', o), name: 'cifar100', label }),
      );
    },
  },
  {
    name: 'tiny-imagenet',
    description: 'Tiny ImageNet, 200 classes, 64×64 JPEG',
    files: 'wnids.txt, words.txt, train/<wnid>/images/*.JPEG, val/images + val_annotations.txt',
    attributes: 'label: class (200, readable names from words.txt)',
    async inspect(o) {
      const { indexTinyImagenet } = await import('./tiny-imagenet.loader.ts');
      return summarizeDataset(await indexTinyImagenet({ root: needRoot('tiny-imagenet', o) }));
    },
  },
  {
    name: 'imagenet',
    description: 'ImageNet in ImageFolder layout',
    files: '<root>/<split>/<wnid>/*.JPEG (+ LOC_synset_mapping.txt or words.txt for names)',
    attributes: 'label: class (1000)',
    async inspect(o) {
      const { indexImageFolder } = await import('./image-folder.loader.ts');
      return summarizeDataset(
        await indexImageFolder({ root: needRoot('imagenet', o), name: 'imagenet' }),
      );
    },
  },
  {
    name: 'image-folder',
    description: 'any ImageFolder tree of JPEG/PNG files',
    files: '<root>/<split>/<class>/*.(jpg|jpeg|png)',
    attributes: 'label: folder name',
    async inspect(o) {
      const { indexImageFolder } = await import('./image-folder.loader.ts');
      return summarizeDataset(await indexImageFolder({ root: needRoot('image-folder', o) }));
    },
  },
  {
    name: 'celeba',
    description: 'CelebA aligned faces with 40 binary attributes',
    files: 'list_attr_celeba.txt, list_eval_partition.txt, img_align_celeba/*.jpg',
    attributes: 'any of the 40 attributes (paper: label Smiling; sensitive Young, Male)',
    async inspect(o) {
      const { indexCeleba } = await import('./celeba.loader.ts');
      return summarizeDataset(
        await indexCeleba({
          root: needRoot('celeba', o),
          ...(o.label ? { label: o.label } : {}),
          ...(o.sensitive ? { sensitive: o.sensitive } : {}),
        }),
      );
    },
  },
  {
    name: 'hatexplain',
    description: 'HateXplain posts: toxic (hate speech or offensive) vs normal',
    files: 'dataset.json, post_id_divisions.json',
    attributes: 'label: toxic/normal; sensitive: gender, race, religion from annotators’ targets',
    async inspect(o) {
      const { loadHatexplainDataset } = await import('./hatexplain.loader.ts');
      return summarizeDataset(await loadHatexplainDataset({ root: needRoot('hatexplain', o) }));
    },
  },
  {
    name: 'trifeature',
    description: 'generated shapes × textures × colours (Hermann & Lampinen 2020)',
    files: 'none: generated from a seed',
    attributes: 'label: shape, texture or color; the others are attributes',
    async inspect(o) {
      const { loadTrifeatureDataset } = await import('./trifeature/index.ts');
      const { checkAttributeName } = await import('./trifeature/validate-trifeature-options.ts');
      return summarizeDataset(
        loadTrifeatureDataset({
          seed: 0,
          size: 32,
          trainCount: 1000,
          testCount: 200,
          ...(o.label ? { label: checkAttributeName('label', o.label) } : {}),
          ...(o.sensitive?.[0]
            ? { sensitive: checkAttributeName('sensitive', o.sensitive[0]) }
            : {}),
        }),
      );
    },
  },
  {
    name: 'csv',
    description: 'any data described by a CSV: image paths or text, a label and attribute columns',
    files: 'a CSV with a header row (RFC 4180); image paths relative to the CSV',
    attributes:
      'label: --label <column>; sensitive: --sensitive <columns>; --split-column train/val/test',
    async inspect(o) {
      const { indexCsvDataset } = await import('./csv.loader.ts');
      const file = needRoot('csv', o);
      if (!o.label) throw new KdlensError('csv: name the label column with --label <column>');
      if (!o.pathColumn === !o.textColumn) {
        throw new KdlensError(
          'csv: give exactly one of --path-column <column> or --text-column <column>',
        );
      }
      const indexed = await indexCsvDataset({
        file,
        label: o.label,
        attributes: o.sensitive ?? [],
        ...(o.pathColumn ? { path: o.pathColumn, size: 1 } : {}),
        ...(o.textColumn ? { text: o.textColumn } : {}),
        ...(o.splitColumn ? { split: o.splitColumn } : {}),
      });
      return summarizeDataset(indexed.kind === 'text' ? indexed.dataset : indexed.index);
    },
  },
];

export function findDataset(name: string): DatasetEntry {
  const entry = datasets.find((d) => d.name === name);
  if (!entry) {
    throw new KdlensError(
      `unknown data set "${name}"; known: ${datasets.map((d) => d.name).join(', ')}`,
    );
  }
  return entry;
}
