import { describe, expect, it } from 'vitest';
import type { ImageSplit } from '../dataset.ts';
import { generateTrifeature } from './generate-trifeature.ts';
import { loadTrifeatureDataset } from './trifeature.dataset.ts';

function imageSplit(split: unknown): ImageSplit {
  expect(split).toMatchObject({ kind: 'image' });
  return split as ImageSplit;
}

describe('loadTrifeatureDataset', () => {
  it('describes label and attributes, sensitive first', () => {
    const dataset = loadTrifeatureDataset({
      seed: 1,
      trainCount: 4,
      testCount: 2,
      label: 'shape',
      sensitive: 'texture',
    });
    expect(dataset.name).toBe('trifeature');
    expect(dataset.label.name).toBe('shape');
    expect(dataset.label.values).toHaveLength(10);
    expect(dataset.attributes.map((a) => a.name)).toEqual(['texture', 'color']);
    expect(dataset.attributes[1]?.values[7]).toBe('ocean');
  });

  it('defaults the sensitive attribute to colour, or shape when colour is the label', () => {
    const byShape = loadTrifeatureDataset({ seed: 1, trainCount: 1, testCount: 1 });
    expect(byShape.attributes[0]?.name).toBe('color');
    const byColour = loadTrifeatureDataset({
      seed: 1,
      trainCount: 1,
      testCount: 1,
      label: 'color',
    });
    expect(byColour.attributes[0]?.name).toBe('shape');
  });

  it('draws the test split from the indices after the training split', () => {
    const dataset = loadTrifeatureDataset({
      seed: 9,
      size: 16,
      trainCount: 20,
      testCount: 5,
      correlation: 0.7,
    });
    const train = imageSplit(dataset.splits.train);
    const test = imageSplit(dataset.splits.test);
    expect(train.split).toBe('train');
    expect(test.split).toBe('test');
    expect([...test.indices]).toEqual([20, 21, 22, 23, 24]);
    const continued = generateTrifeature({ count: 25, size: 16, seed: 9, correlation: 0.7 });
    expect(test.pixels).toEqual(continued.pixels.subarray(20 * 16 * 16 * 3));
  });

  it('keeps the test set fixed across training sizes when testFirstIndex is given', () => {
    const options = { seed: 9, size: 16, testCount: 5, testFirstIndex: 1000 };
    const small = loadTrifeatureDataset({ ...options, trainCount: 10 });
    const large = loadTrifeatureDataset({ ...options, trainCount: 30 });
    expect(imageSplit(large.splits.test).pixels).toEqual(imageSplit(small.splits.test).pixels);
  });

  it('can break the shape–colour link at test time with testCorrelation', () => {
    const dataset = loadTrifeatureDataset({
      seed: 2,
      size: 8,
      trainCount: 500,
      testCount: 500,
      correlation: 1,
      testCorrelation: 0,
    });
    const share = (split: ImageSplit) =>
      split.labels.filter((shape, i) => split.attributes.color?.[i] === shape).length / split.count;
    expect(share(imageSplit(dataset.splits.train))).toBe(1);
    // Independent: mean 0.1, sd 0.013 over 500.
    expect(share(imageSplit(dataset.splits.test))).toBeLessThan(0.17);
  });

  it('names the bad option', () => {
    const base = { seed: 0, trainCount: 1, testCount: 1 };
    expect(() => loadTrifeatureDataset({ ...base, label: 'color', sensitive: 'color' })).toThrow(
      /option sensitive: must differ from the label/,
    );
    expect(() => loadTrifeatureDataset({ ...base, sensitive: 'gender' as 'color' })).toThrow(
      /option sensitive/,
    );
    expect(() => loadTrifeatureDataset({ ...base, testCorrelation: -0.1 })).toThrow(
      /option testCorrelation/,
    );
    expect(() => loadTrifeatureDataset({ ...base, trainCount: 1.5 })).toThrow(/option trainCount/);
    expect(() => loadTrifeatureDataset({ ...base, trainCount: 5, testFirstIndex: 3 })).toThrow(
      /option testFirstIndex: must be ≥ trainCount/,
    );
  });
});
