import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { generateToyShapes, splitToyShapes } from '../datasets/toy-shapes.dataset.ts';
import { initBackend } from './backend.ts';
import { trainableParameterCount } from './models/trainable-parameter-count.ts';
import { trainUnit } from './train-unit.ts';

// 32 px images: the input size of the paper's CIFAR-style models.
const data = splitToyShapes(generateToyShapes({ count: 192, imageSize: 32, seed: 5 }), 128);

beforeAll(async () => {
  await initBackend('wasm');
});

it('trains one of the paper’s architectures (the reference CNN) through trainUnit', async () => {
  const before = tf.memory().numTensors;
  const result = await trainUnit({
    role: 'student',
    architecture: 'reference-cnn',
    data,
    epochs: 1,
    batchSize: 32,
    learningRate: 0.01,
    seed: 3,
  });
  // conv 3·3·3·16 + 3·3·16·16 + 3·3·16·32 + 3·3·32·32 (no bias), BN γ/β 2·(16+16+32+32),
  // dense 32·4 + 4 for the four toy shapes.
  expect(trainableParameterCount(result.model)).toBe(432 + 2304 + 4608 + 9216 + 192 + 132);
  expect(result.predictions).toHaveLength(64);
  expect(Number.isFinite(result.finalLoss)).toBe(true);
  result.model.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

it('refuses a text architecture for image data before training', async () => {
  await expect(
    trainUnit({
      role: 'student',
      architecture: 'bigru',
      data,
      epochs: 1,
      batchSize: 32,
      learningRate: 0.01,
      seed: 3,
    }),
  ).rejects.toThrow(
    'trainUnit: bigru is a text model but data.train is an image split; pass text splits',
  );
});
