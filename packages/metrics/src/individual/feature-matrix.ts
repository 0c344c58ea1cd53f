import { MetricsInputError } from '../input/metrics-input-error.ts';
import { checkFinite } from '../input/validate.ts';

/** `d`, the number of features per row, is a positive integer. */
export function checkDimension(d: number, argument = 'd'): void {
  if (!Number.isInteger(d) || d < 1) {
    throw new MetricsInputError(argument, `must be a positive integer, got ${d}`);
  }
}

/**
 * `features` is an n×d row-major matrix of finite numbers, where n is the number of rows of
 * another argument (`rowsFrom`), so a mismatch names both.
 */
export function checkFeatureMatrix(
  features: ArrayLike<number>,
  d: number,
  n: number,
  rowsFrom: string,
): void {
  checkDimension(d);
  if (features.length !== n * d) {
    throw new MetricsInputError(
      'features',
      `has ${features.length} values but ${rowsFrom} has ${n} rows and d = ${d}, so it needs n × d = ${n * d}`,
    );
  }
  checkFinite('features', features);
}

/** Number of rows of an n×d `features` matrix given on its own. */
export function featureRows(features: ArrayLike<number>, d: number): number {
  checkDimension(d);
  if (features.length % d !== 0) {
    throw new MetricsInputError(
      'features',
      `has ${features.length} values, which is not a whole number of rows of d = ${d}`,
    );
  }
  checkFinite('features', features);
  return features.length / d;
}
