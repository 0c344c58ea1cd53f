/**
 * Reads the data set a spec names through the trainer's loaders, as SourceSplits. Image-file
 * data sets (ImageNet, Tiny ImageNet, CelebA, image folders, CSV of paths) come back as indexes,
 * so sampling happens before decoding.
 */
import path from 'node:path';
import {
  confineDataPath,
  DataRootError,
  type DatasetSpec,
  datasetTraits,
  KdlensError,
} from '@kdlens/core';
import { ConfinedFiles } from '../datasets/confined-files.ts';
import type { Attribute, DatasetSplit, LoadedDataset, SplitName } from '../datasets/dataset.ts';
import type { ImageDatasetIndex, ImageSplitIndex } from '../datasets/image-index.ts';
import { findDataset } from '../datasets/registry.ts';
import type { SourceSplit } from './source-split.ts';

export interface SourceDataset {
  label: Attribute;
  attributes: Attribute[];
  /** The publisher's splits that exist (Tiny ImageNet: train and val only). */
  splits: Partial<Record<SplitName, SourceSplit>>;
  /** Text data sets: the training vocabulary (its length is the models' vocabSize). */
  vocabulary?: string[];
}

/** The data a spec names could not be read; says which spec field to fix. */
export class StudyDataError extends KdlensError {
  override readonly name = 'StudyDataError';
}

function loadedSplit(s: DatasetSplit, ids?: string[]): SourceSplit {
  const names = ids ?? Array.from(s.indices, (i) => `${s.split}/${i}`);
  return s.kind === 'image'
    ? { kind: 'image', split: s, ids: names }
    : { kind: 'text', split: s, ids: names };
}

function fromLoaded(d: LoadedDataset, ids?: Partial<Record<SplitName, string[]>>): SourceDataset {
  const splits: SourceDataset['splits'] = {};
  for (const [name, s] of Object.entries(d.splits) as [SplitName, DatasetSplit][]) {
    splits[name] = loadedSplit(s, ids?.[name]);
  }
  return {
    label: d.label,
    attributes: d.attributes,
    splits,
    ...(d.vocabulary ? { vocabulary: d.vocabulary } : {}),
  };
}

function fromIndex(index: ImageDatasetIndex, root: string): SourceDataset {
  const splits: SourceDataset['splits'] = {};
  for (const [name, s] of Object.entries(index.splits) as [SplitName, ImageSplitIndex][]) {
    // Paths relative to the data folder: stable across machines that mount it elsewhere.
    splits[name] = { kind: 'files', index: s, ids: s.files.map((f) => path.relative(root, f)) };
  }
  return { label: index.label, attributes: index.attributes, splits };
}

/**
 * The folder (or CSV file) the spec points at, checked to exist and to lie, after symlinks, in
 * the allowed data folders before any loader runs. Loaders get the real path that passed, and
 * a ConfinedFiles built on it without resolving it again (see ConfinedFiles.ofRealFolder).
 */
async function confinedRootOf(dataset: DatasetSpec, dataRoots: readonly string[]): Promise<string> {
  const root = dataset.root ?? datasetTraits[dataset.name].defaultRoot;
  if (root === undefined) {
    throw new StudyDataError(`dataset.root: ${dataset.name} needs the folder with its files`);
  }
  try {
    return await confineDataPath(root, dataRoots, 'dataset.root');
  } catch (error) {
    if (!(error instanceof DataRootError) || !/ does not exist$/.test(error.message)) throw error;
    throw new StudyDataError(
      `${error.message}; ${dataset.name} needs ${findDataset(dataset.name).files}`,
    );
  }
}

async function read(dataset: DatasetSpec, dataRoots: readonly string[]): Promise<SourceDataset> {
  const rootOf = (d: DatasetSpec) => confinedRootOf(d, dataRoots);
  const inside = (realFolder: string) => ConfinedFiles.ofRealFolder(realFolder);
  const { name } = dataset;
  switch (name) {
    case 'trifeature': {
      const { loadTrifeatureDataset } = await import('../datasets/trifeature/index.ts');
      const { checkAttributeName } = await import(
        '../datasets/trifeature/validate-trifeature-options.ts'
      );
      const g = dataset.generator;
      if (g === undefined) throw new StudyDataError('dataset.generator: trifeature needs it');
      const sensitive = dataset.sensitive[0];
      return fromLoaded(
        loadTrifeatureDataset({
          seed: g.seed,
          size: dataset.imageSize ?? 32,
          correlation: g.correlation,
          ...(g.testCorrelation === undefined ? {} : { testCorrelation: g.testCorrelation }),
          trainCount: g.trainCount,
          testCount: g.testCount,
          ...(dataset.label ? { label: checkAttributeName('label', dataset.label) } : {}),
          ...(sensitive ? { sensitive: checkAttributeName('sensitive', sensitive) } : {}),
        }),
      );
    }
    case 'mnist':
    case 'fashion-mnist': {
      const { loadIdxDataset } = await import('../datasets/idx.loader.ts');
      const root = await rootOf(dataset);
      return fromLoaded(await loadIdxDataset({ root, name, within: inside(root) }));
    }
    case 'cifar10':
    case 'cifar100': {
      const { loadCifarDataset } = await import('../datasets/cifar.loader.ts');
      const label =
        name === 'cifar100' ? (dataset.label === 'coarse' ? 'coarse' : 'fine') : undefined;
      const root = await rootOf(dataset);
      return fromLoaded(
        await loadCifarDataset({
          root,
          name,
          within: inside(root),
          ...(label ? { label } : {}),
        }),
      );
    }
    case 'tiny-imagenet': {
      const { indexTinyImagenet } = await import('../datasets/tiny-imagenet.loader.ts');
      const root = await rootOf(dataset);
      return fromIndex(await indexTinyImagenet({ root, within: inside(root) }), root);
    }
    case 'imagenet':
    case 'image-folder': {
      const { indexImageFolder } = await import('../datasets/image-folder.loader.ts');
      const root = await rootOf(dataset);
      return fromIndex(await indexImageFolder({ root, name, within: inside(root) }), root);
    }
    case 'celeba': {
      const { indexCeleba } = await import('../datasets/celeba.loader.ts');
      const root = await rootOf(dataset);
      return fromIndex(
        await indexCeleba({
          root,
          within: inside(root),
          ...(dataset.label ? { label: dataset.label } : {}),
          sensitive: dataset.sensitive,
        }),
        root,
      );
    }
    case 'hatexplain': {
      const { loadHatexplainDataset } = await import('../datasets/hatexplain.loader.ts');
      const root = await rootOf(dataset);
      const loaded = await loadHatexplainDataset({
        root,
        within: inside(root),
        ...(dataset.maxLength ? { maxLength: dataset.maxLength } : {}),
      });
      return fromLoaded(loaded, loaded.postIds);
    }
    case 'csv': {
      const { indexCsvDataset } = await import('../datasets/csv.loader.ts');
      const file = await rootOf(dataset);
      const columns = dataset.columns ?? {};
      const indexed = await indexCsvDataset({
        file,
        // The real file's folder is real too: realpath leaves no link in any component.
        within: inside(path.dirname(file)),
        label: dataset.label ?? '',
        attributes: dataset.sensitive,
        ...(columns.path ? { path: columns.path, size: dataset.imageSize ?? 0 } : {}),
        ...(columns.text ? { text: columns.text } : {}),
        ...(columns.split ? { split: columns.split } : {}),
        ...(dataset.maxLength ? { maxLength: dataset.maxLength } : {}),
      });
      return indexed.kind === 'text'
        ? fromLoaded(indexed.dataset)
        : fromIndex(indexed.index, path.dirname(file));
    }
  }
}

/**
 * Reads the spec's data set from inside `dataRoots` (KDLENS_DATA_ROOTS); a loader's error becomes
 * one naming the spec field to fix.
 */
export async function readSourceDataset(
  dataset: DatasetSpec,
  dataRoots: readonly string[],
): Promise<SourceDataset> {
  try {
    return await read(dataset, dataRoots);
  } catch (error) {
    if (error instanceof StudyDataError || error instanceof DataRootError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const field = datasetTraits[dataset.name].generated ? 'dataset.generator' : 'dataset.root';
    throw new StudyDataError(`${field}: cannot load ${dataset.name}: ${message}`);
  }
}
