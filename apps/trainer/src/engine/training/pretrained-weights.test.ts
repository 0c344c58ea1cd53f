import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToyShapes, splitToyShapes } from '../../datasets/toy-shapes.dataset.ts';
import { initBackend } from '../backend.ts';
import { buildArchitecture } from '../models/index.ts';
import { buildModel } from '../models/toy-cnn.ts';
import { trainUnit } from '../train-unit.ts';
import { evaluateSplit } from './evaluate.ts';
import { keywordTexts } from './keyword-text.test-support.ts';
import {
  canonicalWeightNames,
  loadPretrainedWeights,
  PretrainedWeightsError,
  saveModelWeights,
} from './pretrained-weights.ts';

const toy = splitToyShapes(generateToyShapes({ count: 96, seed: 21 }), 64);
let root = '';

beforeAll(async () => {
  await initBackend('wasm');
  root = await mkdtemp(path.join(tmpdir(), 'kdlens-pretrained-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function probabilities(model: tf.LayersModel, split: Parameters<typeof evaluateSplit>[1]) {
  const { probabilities: p } = evaluateSplit(model, split, 2 + (split.kind === 'text' ? 0 : 2));
  return Array.from(p.values);
}

describe('saveModelWeights / loadPretrainedWeights', () => {
  it('round-trips a trained model into a fresh build: identical predictions', async () => {
    const trained = await trainUnit({
      role: 'teacher',
      architecture: 'toy-cnn-teacher',
      data: toy,
      epochs: 1,
      batchSize: 32,
      learningRate: 0.01,
      seed: 1,
    });
    const dir = path.join(root, 'toy-teacher');
    await saveModelWeights(trained.model, dir);
    // Another seed: every weight must come from the file; built later, so tfjs's layer-name
    // counters differ and only the canonical names can match.
    const fresh = buildModel('toy-cnn-teacher', { imageSize: 16, numClasses: 4, seed: 99 });
    await loadPretrainedWeights(fresh, dir);
    expect(probabilities(fresh, toy.test)).toEqual(probabilities(trained.model, toy.test));
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual([
      'conv2d_1/kernel',
      'conv2d_1/bias',
      'conv2d_2/kernel',
      'conv2d_2/bias',
      'dense_1/kernel',
      'dense_1/bias',
      'dense_2/kernel',
      'dense_2/bias',
    ]);
    fresh.dispose();
    trained.model.dispose();
  });

  it('round-trips a BiGRU (nested layer names) and leaks no tensors', async () => {
    const options = { inputShape: [6], numClasses: 2, vocabSize: 12, embeddingDim: 4, units: 3 };
    const a = buildArchitecture('bigru', { ...options, seed: 1 });
    const dir = path.join(root, 'bigru');
    await saveModelWeights(a, dir);
    expect(canonicalWeightNames(a)).toContain('bidirectional_1/backward_gru/recurrent_kernel');
    const b = buildArchitecture('bigru', { ...options, seed: 2 });
    const before = tf.memory().numTensors;
    await loadPretrainedWeights(b, dir);
    expect(tf.memory().numTensors).toBe(before);
    const texts = keywordTexts(16, 6, 5);
    expect(probabilities(b, texts)).toEqual(probabilities(a, texts));
    a.dispose();
    b.dispose();
  });

  it('names the file and the weight when something is missing or mismatched', async () => {
    const model = buildModel('toy-cnn-teacher', { imageSize: 16, numClasses: 4, seed: 3 });
    const dir = path.join(root, 'errors');
    await saveModelWeights(model, dir);
    const json = path.join(dir, 'model.json');
    const threeClasses = buildModel('toy-cnn-teacher', { imageSize: 16, numClasses: 3, seed: 3 });
    const before = tf.memory().numTensors;

    await expect(loadPretrainedWeights(model, path.join(root, 'nope'))).rejects.toThrow(
      `pretrained weights directory ${path.join(root, 'nope')} does not exist`,
    );
    await expect(loadPretrainedWeights(threeClasses, dir)).rejects.toThrow(
      `${json}: weight 'dense_2/kernel' has shape [64, 4], the model expects [64, 3]`,
    );
    const manifest = await readFile(json, 'utf8');
    await writeFile(json, manifest.replace('"dense_2/bias"', '"dense_9/bias"'));
    await expect(loadPretrainedWeights(model, dir)).rejects.toThrow(
      `${json} has no weight 'dense_2/bias'`,
    );
    await writeFile(json, manifest);
    await rm(path.join(dir, 'weights.bin'));
    await expect(loadPretrainedWeights(model, dir)).rejects.toThrow(
      new PretrainedWeightsError(`${path.join(dir, 'weights.bin')} (listed in ${json}) not found`),
    );
    await rm(json);
    await expect(loadPretrainedWeights(model, dir)).rejects.toThrow(`${json} not found`);
    expect(tf.memory().numTensors).toBe(before);
    threeClasses.dispose();
    model.dispose();
  });

  it('refuses a model.json or a shard that links outside the directory, naming the link only', async () => {
    const model = buildModel('toy-cnn-teacher', { imageSize: 16, numClasses: 4, seed: 4 });
    const dir = path.join(root, 'linked');
    const elsewhere = path.join(root, 'elsewhere');
    await saveModelWeights(model, dir);
    await mkdir(elsewhere);
    const refused = (file: string) =>
      new PretrainedWeightsError(
        `${file} leads outside the weights directory ${dir} (a symbolic link?); weight files must sit inside it, so it is not read`,
      );
    // The real weights, moved out and linked back: loaded unconfined, they would apply.
    const shard = path.join(dir, 'weights.bin');
    await rename(shard, path.join(elsewhere, 'weights.bin'));
    await symlink(path.join(elsewhere, 'weights.bin'), shard);
    await expect(loadPretrainedWeights(model, dir)).rejects.toThrow(refused(shard));
    await rm(shard);
    await rename(path.join(elsewhere, 'weights.bin'), shard);
    const json = path.join(dir, 'model.json');
    await rename(json, path.join(elsewhere, 'model.json'));
    await symlink(path.join(elsewhere, 'model.json'), json);
    await expect(loadPretrainedWeights(model, dir)).rejects.toThrow(refused(json));
    model.dispose();
  });

  it('trainUnit starts from pretrained weights, and refuses a missing directory up front', async () => {
    const source = buildModel('toy-cnn-student', { imageSize: 16, numClasses: 4, seed: 5 });
    const dir = path.join(root, 'toy-student');
    await saveModelWeights(source, dir);
    const run = {
      role: 'student',
      architecture: 'toy-cnn-student',
      data: toy,
      epochs: 1,
      batchSize: 32,
      seed: 6,
      optimizer: { name: 'sgd' },
    } as const;
    // A negligible step size: the trained model is still (to float precision) the file's.
    const res = await trainUnit({ ...run, learningRate: 1e-9, pretrained: { dir } });
    expect(Array.from(res.predictions)).toEqual(
      Array.from(evaluateSplit(source, toy.test, 4).predictions),
    );
    res.model.dispose();
    source.dispose();

    const before = tf.memory().numTensors;
    await expect(
      trainUnit({ ...run, learningRate: 0.01, pretrained: { dir: path.join(root, 'missing') } }),
    ).rejects.toThrow(/pretrained weights directory .*missing does not exist/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
