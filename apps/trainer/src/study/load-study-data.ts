/**
 * The data of a study, as every unit of it trains and is scored on: the spec's data set resolved
 * to train / (val) / test splits in the engine's layout, plus the test set's metadata for the
 * warehouse. Loaded once per process: the units a worker runs one after another share it.
 */
import { type DatasetSpec, datasetTraits, type ExperimentSpec } from '@kdlens/core';
import type { TestSetInput } from '@kdlens/core/results';
import * as tf from '@tensorflow/tfjs';
import type { ImageSplit as DatasetImageSplit } from '../datasets/dataset.ts';
import { toImageSplit } from '../datasets/image-index.ts';
import type { ImageSplit, TextSplit, TrainingSplit } from '../engine/index.ts';
import { readSourceDataset, type SourceDataset, StudyDataError } from './read-source-dataset.ts';
import { pickRows, type SourceSplit, sourceAttributes, sourceLabels } from './source-split.ts';
import { stratifiedSample } from './stratified-sample.ts';

export { StudyDataError } from './read-source-dataset.ts';

export interface StudyData {
  train: TrainingSplit;
  /** Only when the spec asks for validation (validationSplit > 0). */
  val?: TrainingSplit;
  test: TrainingSplit;
  numClasses: number;
  classNames: string[];
  /** Text data: the vocabulary size the models' embeddings need. */
  vocabSize?: number;
  /** What recordTestSet stores: labels, ids and sensitive values in the order of `test`. */
  testSet: TestSetInput;
}

const cache = new Map<string, Promise<StudyData>>();

/**
 * The study's data; the same spec (data set part) gives the same promise within a process.
 * `dataRoots`: the folders the data may be read from (KDLENS_DATA_ROOTS).
 */
export function loadStudyData(
  spec: Pick<ExperimentSpec, 'dataset' | 'evaluation'>,
  dataRoots: readonly string[],
): Promise<StudyData> {
  const key = JSON.stringify([
    spec.dataset,
    spec.evaluation.individualFairness.features,
    dataRoots,
  ]);
  let data = cache.get(key);
  if (data === undefined) {
    data = buildStudyData(spec, dataRoots);
    cache.set(key, data);
    // A failed load (files missing) must not stay cached: the user may fix it and retry.
    data.catch(() => cache.delete(key));
  }
  return data;
}

async function buildStudyData(
  spec: Pick<ExperimentSpec, 'dataset' | 'evaluation'>,
  dataRoots: readonly string[],
): Promise<StudyData> {
  const { dataset } = spec;
  const source = await readSourceDataset(dataset, dataRoots);
  const { train, val, test } = arrangeSplits(source, dataset);
  const size = dataset.imageSize ?? datasetTraits[dataset.name].nativeImageSize ?? 32;
  const classNames = [...source.label.values];
  const [trainSplit, testSplit, valSplit] = await Promise.all([
    toTrainingSplit(train, size, classNames),
    toTrainingSplit(test, size, classNames),
    val === undefined ? undefined : toTrainingSplit(val, size, classNames),
  ]);
  const testSet: TestSetInput = {
    numClasses: classNames.length,
    classNames,
    labels: testSplit.labels,
    exampleIds: test.ids,
    sensitive: sensitiveValues(source, test, dataset),
  };
  if (spec.evaluation.individualFairness.features === 'input' && testSplit.kind !== 'text') {
    const image = testSplit as ImageSplit;
    testSet.features = {
      values: image.images,
      d: image.imageSize * image.imageSize * (image.channels ?? 3),
    };
  }
  return {
    train: trainSplit,
    ...(valSplit === undefined ? {} : { val: valSplit }),
    test: testSplit,
    numClasses: classNames.length,
    classNames,
    ...(source.vocabulary ? { vocabSize: source.vocabulary.length } : {}),
    testSet,
  };
}

/**
 * Test = the publisher's test split, else its validation split (Tiny ImageNet, ImageNet publish
 * no test labels). Validation = the publisher's own where it ships one that is not already the
 * test split, else carved from train; then the `subset` caps, on what is left of train.
 */
function arrangeSplits(
  source: SourceDataset,
  dataset: DatasetSpec,
): { train: SourceSplit; val?: SourceSplit; test: SourceSplit } {
  let train = source.splits.train;
  if (train === undefined) {
    throw new StudyDataError(`dataset.root: ${dataset.name} has no training split there`);
  }
  const test = source.splits.test ?? source.splits.val;
  if (test === undefined) {
    throw new StudyDataError(`dataset.root: ${dataset.name} has no test (or val) split there`);
  }
  let val: SourceSplit | undefined;
  if (dataset.validationSplit > 0) {
    const ownVal = source.splits.test === undefined ? undefined : source.splits.val;
    if (ownVal !== undefined) {
      val = ownVal;
    } else {
      const n = Math.round(dataset.validationSplit * train.ids.length);
      if (n === 0 || n === train.ids.length) {
        throw new StudyDataError(
          `dataset.validationSplit: ${dataset.validationSplit} of ${train.ids.length} training examples leaves ${n === 0 ? 'no validation' : 'no training'} examples`,
        );
      }
      const { chosen, rest } = stratifiedSample(sourceLabels(train), n);
      val = pickRows(train, chosen);
      train = pickRows(train, rest);
    }
  }
  const cap = (s: SourceSplit, n: number | undefined) =>
    n === undefined || n >= s.ids.length
      ? s
      : pickRows(s, stratifiedSample(sourceLabels(s), n).chosen);
  return {
    train: cap(train, dataset.subset?.train),
    ...(val === undefined ? {} : { val }),
    test: cap(test, dataset.subset?.test),
  };
}

function sensitiveValues(
  source: SourceDataset,
  test: SourceSplit,
  dataset: DatasetSpec,
): Record<string, string[]> {
  const codes = sourceAttributes(test);
  const out: Record<string, string[]> = {};
  dataset.sensitive.forEach((name, i) => {
    const attribute = source.attributes.find((a) => a.name === name);
    const column = codes[name];
    if (attribute === undefined || column === undefined) {
      throw new StudyDataError(
        `dataset.sensitive.${i}: ${dataset.name} has no attribute "${name}"; it has: ${source.attributes.map((a) => a.name).join(', ') || 'none'}`,
      );
    }
    out[name] = Array.from(column, (c) => attribute.values[c] ?? String(c));
  });
  return out;
}

async function toTrainingSplit(
  s: SourceSplit,
  size: number,
  classNames: string[],
): Promise<TrainingSplit> {
  if (s.kind === 'text') {
    const text: TextSplit = {
      kind: 'text',
      tokens: s.split.tokens,
      maxLength: s.split.maxLength,
      labels: s.split.labels,
      count: s.split.count,
      classNames,
    };
    return text;
  }
  const decoded: DatasetImageSplit =
    s.kind === 'image' ? s.split : await toImageSplit(s.index, 'train', size);
  return toFloatImages(decoded, size, classNames);
}

/** uint8 NHWC → float [0, 1], resized (bilinear) when the spec's imageSize differs from the data. */
function toFloatImages(s: DatasetImageSplit, size: number, classNames: string[]): ImageSplit {
  const images = new Float32Array(s.pixels.length);
  for (let i = 0; i < images.length; i++) images[i] = (s.pixels[i] ?? 0) / 255;
  const split: ImageSplit = {
    kind: 'image',
    images,
    labels: s.labels,
    count: s.count,
    imageSize: s.height,
    channels: s.channels,
    classNames,
  };
  if (s.height === size && s.width === size) return split;
  return { ...split, imageSize: size, images: resize(images, s, size) };
}

function resize(images: Float32Array, s: DatasetImageSplit, size: number): Float32Array {
  const out = new Float32Array(s.count * size * size * s.channels);
  const per = s.height * s.width * s.channels;
  const chunk = 256;
  for (let start = 0; start < s.count; start += chunk) {
    const n = Math.min(chunk, s.count - start);
    const resized = tf.tidy(() =>
      tf.image
        .resizeBilinear(
          tf.tensor4d(images.subarray(start * per, (start + n) * per), [
            n,
            s.height,
            s.width,
            s.channels,
          ]),
          [size, size],
        )
        .dataSync(),
    );
    out.set(resized, start * size * size * s.channels);
  }
  return out;
}
