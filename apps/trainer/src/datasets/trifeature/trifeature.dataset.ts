/**
 * Trifeature (Hermann & Lampinen 2020) as a loaded data set: generated, not read, with train and
 * test splits drawn from disjoint index ranges of one seeded image stream.
 */
import type { Attribute, LoadedDataset } from '../dataset.ts';
import { generateTrifeature } from './generate-trifeature.ts';
import {
  type TrifeatureAttributeName,
  trifeatureAttributeNames,
  trifeatureValues,
} from './trifeature-names.ts';
import { TrifeatureOptionError } from './trifeature-option-error.ts';
import {
  checkAttributeName,
  checkCorrelation,
  checkCount,
  checkIndexRange,
} from './validate-trifeature-options.ts';

export interface TrifeatureDatasetOptions {
  size?: number;
  seed: number;
  /** Shape–colour correlation of the training split (default 0). */
  correlation?: number;
  /** Shape–colour correlation of the test split; default the training one (same distribution). */
  testCorrelation?: number;
  label?: TrifeatureAttributeName;
  /**
   * The attribute fairness metrics group by; listed first in `attributes`. Default 'color', or
   * 'shape' when colour is the label.
   */
  sensitive?: TrifeatureAttributeName;
  trainCount: number;
  testCount: number;
  /**
   * Index of the first test image (default `trainCount`, so indices run 0..train+test−1). Fix it
   * (e.g. 1_000_000) to keep the same test images while varying `trainCount`.
   */
  testFirstIndex?: number;
  supersample?: number;
}

function attributeOf(name: TrifeatureAttributeName): Attribute {
  return { name, values: [...trifeatureValues(name)] };
}

export function loadTrifeatureDataset(options: TrifeatureDatasetOptions): LoadedDataset {
  const label = checkAttributeName('label', options.label ?? 'shape');
  const sensitive = checkAttributeName(
    'sensitive',
    options.sensitive ?? (label === 'color' ? 'shape' : 'color'),
  );
  if (sensitive === label) {
    throw new TrifeatureOptionError('sensitive', `must differ from the label (both are ${label})`);
  }
  const correlation = options.correlation ?? 0;
  const testCorrelation = options.testCorrelation ?? correlation;
  checkCorrelation('testCorrelation', testCorrelation);
  checkCount('trainCount', options.trainCount);
  checkCount('testCount', options.testCount);
  const testFirstIndex = options.testFirstIndex ?? options.trainCount;
  checkIndexRange('testFirstIndex', testFirstIndex, options.testCount);
  if (testFirstIndex < options.trainCount && testFirstIndex + options.testCount > 0) {
    throw new TrifeatureOptionError(
      'testFirstIndex',
      `must be ≥ trainCount (${options.trainCount}) so test images are not training images, got ${testFirstIndex}`,
    );
  }

  const common = {
    size: options.size ?? 32,
    seed: options.seed,
    label,
    supersample: options.supersample,
  };
  const train = generateTrifeature({
    ...common,
    split: 'train',
    count: options.trainCount,
    correlation,
  });
  const test = generateTrifeature({
    ...common,
    split: 'test',
    count: options.testCount,
    correlation: testCorrelation,
    firstIndex: testFirstIndex,
  });
  const others = trifeatureAttributeNames.filter((name) => name !== label && name !== sensitive);
  return {
    name: 'trifeature',
    label: attributeOf(label),
    attributes: [sensitive, ...others].map(attributeOf),
    splits: { train, test },
  };
}
