import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import type { TextSplit as LoadedTextSplit } from '../datasets/dataset.ts';
import { generateToyShapes, splitToyShapes } from '../datasets/toy-shapes.dataset.ts';
import { initBackend } from './backend.ts';
import { buildModel } from './models/toy-cnn.ts';
import { type TrainUnitOptions, trainUnit } from './train-unit.ts';
import { keywordTexts } from './training/keyword-text.test-support.ts';

const images = splitToyShapes(generateToyShapes({ count: 24, seed: 1 }), 16);
const texts = { train: keywordTexts(16, 6, 1), test: keywordTexts(8, 6, 2) };
// What the HateXplain / CSV loaders return: accepted as is (extra fields are ignored).
const loaded: LoadedTextSplit = {
  ...texts.test,
  split: 'test',
  attributes: {},
  indices: Int32Array.from({ length: 8 }, (_, i) => i),
};
const run: TrainUnitOptions = {
  role: 'student',
  architecture: 'toy-cnn-student',
  data: images,
  epochs: 1,
  batchSize: 8,
  learningRate: 0.01,
  seed: 1,
};

beforeAll(async () => {
  await initBackend('cpu');
});

it('rejects bad options with a message naming the option, before allocating a tensor', async () => {
  const teacher = buildModel('toy-cnn-teacher', { imageSize: 16, numClasses: 4, seed: 1 });
  const kd = { ...run, role: 'distilled', teacher, temperature: 2 } as const;
  const before = tf.memory().numTensors;
  const cases: [Partial<TrainUnitOptions>, string][] = [
    [{ architecture: 'vgg16' as 'lenet5' }, "trainUnit: unknown architecture 'vgg16'"],
    [{ ...kd, temperature: 0 }, 'trainUnit: KD temperature must be a finite number > 0, got 0'],
    [{ ...kd, temperature: -1 }, 'KD temperature must be a finite number > 0, got -1'],
    [{ ...kd, alpha: -0.1 }, 'trainUnit: KD alpha must be in [0, 1], got -0.1'],
    [{ ...kd, alpha: 1.5 }, 'KD alpha must be in [0, 1], got 1.5'],
    [{ evaluateEvery: 0 }, 'trainUnit: evaluateEvery must be an integer >= 1 (epochs), got 0'],
    [
      { architecture: 'transformer', data: images },
      'trainUnit: transformer is a text model but data.train is an image split',
    ],
    [
      { architecture: 'lenet5', data: { train: texts.train, test: loaded } },
      "trainUnit: lenet5 is an image model but data.train is a text split (token ids); use 'transformer' or 'bigru' for text",
    ],
    [
      { architecture: 'bigru', data: { train: texts.train, test: images.test } },
      'trainUnit: bigru is a text model but data.test is an image split',
    ],
    [
      { architecture: 'bigru', data: { ...texts, val: keywordTexts(4, 5, 3) } },
      'trainUnit: data.val examples are 5, data.train examples are 6',
    ],
    [{ modelOptions: { units: 4 } }, "modelOptions apply to the paper's architectures"],
  ];
  for (const [override, message] of cases) {
    await expect(trainUnit({ ...run, ...override } as TrainUnitOptions)).rejects.toThrow(message);
  }
  expect(tf.memory().numTensors).toBe(before);
  teacher.dispose();
});
