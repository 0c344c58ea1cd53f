import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  architectureNames,
  buildArchitecture,
  InvalidModelOptionError,
  UnknownArchitectureError,
  UnsupportedInputShapeError,
} from './index.ts';

let models: tf.LayersModel[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  for (const m of models) m.dispose();
  models = [];
});

describe('buildArchitecture', () => {
  it('lists the twelve study architectures', () => {
    expect(architectureNames).toEqual([
      'resnet20',
      'resnet32',
      'resnet56',
      'resnet110',
      'resnet18',
      'resnet34',
      'resnet50',
      'lenet5',
      'mlp',
      'reference-cnn',
      'transformer',
      'bigru',
    ]);
  });

  // Forward passes for the big ResNets run in resnet.test.ts; here every name is built and its
  // symbolic output checked, which is cheap and catches wiring mistakes in the dispatcher.
  it.each(architectureNames)('%s builds with a [batch, numClasses] logits output', (name) => {
    const text = name === 'transformer' || name === 'bigru';
    const inputShape = text
      ? [8]
      : name === 'resnet18' || name === 'resnet34' || name === 'resnet50'
        ? [64, 64, 3]
        : [32, 32, 3];
    const m = buildArchitecture(name, { inputShape, numClasses: 7, seed: 1, vocabSize: 50 });
    models.push(m);
    expect(m.outputs).toHaveLength(1);
    expect(m.outputs[0]?.shape).toEqual([null, 7]);
    // Logits, not probabilities: the last layer has no softmax.
    const last = m.layers.at(-1);
    expect(JSON.stringify(last?.getConfig() ?? {})).not.toContain('softmax');
  });

  it.each(['lenet5', 'mlp', 'reference-cnn', 'resnet20', 'transformer', 'bigru'])(
    '%s forward pass on a batch of 2 gives [2, numClasses]',
    (name) => {
      const text = name === 'transformer' || name === 'bigru';
      const m = buildArchitecture(name, {
        inputShape: text ? [8] : [32, 32, 3],
        numClasses: 4,
        seed: 2,
        vocabSize: 30,
      });
      models.push(m);
      const y = tf.tidy(() => {
        const x = text
          ? tf.randomUniform([2, 8], 0, 30, 'int32', 1)
          : tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 1);
        return (m.predict(x) as tf.Tensor).shape;
      });
      expect(y).toEqual([2, 4]);
    },
  );

  it('rejects an unknown name, listing the valid ones', () => {
    expect(() =>
      buildArchitecture('vgg16', { inputShape: [32, 32, 3], numClasses: 10, seed: 1 }),
    ).toThrow(UnknownArchitectureError);
    expect(() =>
      buildArchitecture('vgg16', { inputShape: [32, 32, 3], numClasses: 10, seed: 1 }),
    ).toThrow(/vgg16.*resnet20, resnet32.*bigru/);
  });

  it('rejects an input shape the model does not support', () => {
    expect(() =>
      buildArchitecture('resnet20', { inputShape: [224, 224, 3], numClasses: 10, seed: 1 }),
    ).toThrow(UnsupportedInputShapeError);
    expect(() =>
      buildArchitecture('resnet20', { inputShape: [224, 224, 3], numClasses: 10, seed: 1 }),
    ).toThrow(/resnet20.*224, 224, 3.*32, 32/);
    expect(() =>
      buildArchitecture('bigru', {
        inputShape: [32, 32, 3],
        numClasses: 10,
        seed: 1,
        vocabSize: 9,
      }),
    ).toThrow(UnsupportedInputShapeError);
  });

  it('asks for vocabSize for text models', () => {
    expect(() =>
      buildArchitecture('transformer', { inputShape: [8], numClasses: 2, seed: 1 }),
    ).toThrow(InvalidModelOptionError);
  });
});
