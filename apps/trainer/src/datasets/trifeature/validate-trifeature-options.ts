/**
 * Checks on generator options, each naming the option, so a bad config or CLI flag fails at
 * once with a message saying what to change instead of producing a strange data set.
 */
import { type TrifeatureAttributeName, trifeatureAttributeNames } from './trifeature-names.ts';
import { TrifeatureOptionError } from './trifeature-option-error.ts';

/** Image indices are stored in an Int32Array. */
const MAX_INDEX = 2 ** 31 - 1;

export function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 8) {
    throw new TrifeatureOptionError(
      'size',
      `must be an integer ≥ 8 (pixels per side), got ${size}`,
    );
  }
}

export function checkCount(option: string, count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new TrifeatureOptionError(option, `must be an integer ≥ 0, got ${count}`);
  }
}

export function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new TrifeatureOptionError('seed', `must be a (safe) integer, got ${seed}`);
  }
}

export function checkCorrelation(option: string, correlation: number): void {
  if (!(correlation >= 0 && correlation <= 1)) {
    throw new TrifeatureOptionError(option, `must be a number in [0, 1], got ${correlation}`);
  }
}

/** `firstIndex` and the indices after it must fit the Int32Array of stable indices. */
export function checkIndexRange(option: string, firstIndex: number, count: number): void {
  if (!Number.isInteger(firstIndex) || firstIndex < 0 || firstIndex + count - 1 > MAX_INDEX) {
    throw new TrifeatureOptionError(
      option,
      `must be an integer ≥ 0 with ${option} + count − 1 ≤ ${MAX_INDEX}, got ${firstIndex} (count ${count})`,
    );
  }
}

export function checkAttributeName(option: string, name: string): TrifeatureAttributeName {
  const found = trifeatureAttributeNames.find((candidate) => candidate === name);
  if (found === undefined) {
    throw new TrifeatureOptionError(
      option,
      `must be one of ${trifeatureAttributeNames.join(', ')}, got ${JSON.stringify(name)}`,
    );
  }
  return found;
}
