import { expect, it } from 'vitest';
import type { LoadedDataset } from './dataset.ts';
import { formatDatasetSummary, summarizeDataset } from './dataset-summary.ts';

const dataset: LoadedDataset = {
  name: 'toy',
  label: { name: 'shape', values: ['circle', 'square'] },
  attributes: [{ name: 'color', values: ['red', 'blue', 'green'] }],
  splits: {
    test: {
      kind: 'image',
      split: 'test',
      pixels: new Uint8Array(3 * 2 * 2 * 3),
      count: 3,
      height: 2,
      width: 2,
      channels: 3,
      labels: Int32Array.from([1, 1, 0]),
      attributes: { color: Int32Array.from([0, 2, 2]) },
      indices: Int32Array.from([10, 11, 12]),
    },
  },
};

it('counts examples per class and per attribute value, split by split', () => {
  const summary = summarizeDataset(dataset);
  expect(summary).toEqual({
    name: 'toy',
    label: dataset.label,
    attributes: dataset.attributes,
    input: '2×2×3',
    splits: [{ split: 'test', count: 3, perClass: [1, 2], perAttribute: { color: [1, 0, 2] } }],
  });
  expect(formatDatasetSummary(summary)).toBe(
    [
      'toy: 2 classes (label "shape"), input 2×2×3',
      '  test: 3 examples',
      '    per class: circle 1, square 2',
      '    color: red 1, blue 0, green 2',
      '',
    ].join('\n'),
  );
});
