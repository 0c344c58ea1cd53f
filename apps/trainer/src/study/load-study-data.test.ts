import { DataRootError, parseSpecText } from '@kdlens/core';
import { describe, expect, it } from 'vitest';
import { loadStudyData, StudyDataError } from './load-study-data.ts';

const spec = (dataset: string) =>
  parseSpecText(
    `name: t
dataset:
${dataset}
teacher: { architecture: mlp, epochs: 1, batchSize: 8, learningRate: 0.01 }
student: { architecture: mlp, epochs: 1, batchSize: 8, learningRate: 0.01 }
seeds: 1
`,
    'test spec',
  );

describe('loadStudyData', () => {
  it('generates Trifeature as the spec says: splits, validation, subset, test-set metadata', async () => {
    const data = await loadStudyData(
      spec(`  name: trifeature
  label: shape
  sensitive: [color, texture]
  imageSize: 16
  validationSplit: 0.25
  subset: { train: 50 }
  generator: { seed: 3, trainCount: 80, testCount: 30, correlation: 1 }`),
      // Generated data read no files, so no folder needs to be allowed.
      [],
    );
    // 80 → 20 validation + 60 train, capped at 50.
    expect(data.val?.count).toBe(20);
    expect(data.train.count).toBe(50);
    expect(data.test.count).toBe(30);
    expect(data.numClasses).toBe(10);
    expect(data.classNames[0]).toBe('triangle');
    const t = data.testSet;
    expect(t.labels).toHaveLength(30);
    expect(t.exampleIds?.[0]).toBe('test/80');
    // correlation 1: every image takes its shape's own colour (shape i → colour i).
    const colors = t.sensitive?.color ?? [];
    const expected = [
      'red',
      'green',
      'blue',
      'yellow',
      'pink',
      'cyan',
      'purple',
      'ocean',
      'orange',
      'white',
    ];
    Array.from(t.labels, (label, i) => expect(colors[i]).toBe(expected[label]));
    expect(Object.keys(t.sensitive ?? {})).toEqual(['color', 'texture']);
    // individualFairness.features defaults to input: the test images themselves.
    expect(t.features?.d).toBe(16 * 16 * 3);
  });

  it('names the spec field when the data are missing', async () => {
    const load = loadStudyData(
      spec(`  name: cifar100
  root: /nonexistent/cifar-100-binary`),
      ['/nonexistent'],
    );
    await expect(load).rejects.toBeInstanceOf(StudyDataError);
    await expect(load).rejects.toThrow(
      /^dataset\.root: \/nonexistent\/cifar-100-binary does not exist; cifar100 needs train\.bin, test\.bin/,
    );
  });

  it('refuses a root outside the allowed folders before reading it', async () => {
    const load = loadStudyData(
      spec(`  name: cifar100
  root: /etc`),
      ['/nonexistent'],
    );
    await expect(load).rejects.toBeInstanceOf(DataRootError);
    await expect(load).rejects.toThrow(
      /^dataset\.root: \/etc is outside the data folders this server allows \(\/nonexistent\)/,
    );
  });
});
