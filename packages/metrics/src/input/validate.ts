import { MetricsInputError } from './metrics-input-error.ts';

/** Class labels, one per example: plain or typed arrays. */
export type Labels = ArrayLike<number>;
/** A sensitive feature, one value per example (e.g. 'male' / 'female', or codes). */
export type Sensitive = ArrayLike<string | number>;

export function checkNumClasses(numClasses: number, argument = 'numClasses'): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new MetricsInputError(argument, `must be a positive integer, got ${numClasses}`);
  }
}

export function checkSameLength(
  nameA: string,
  a: ArrayLike<unknown>,
  nameB: string,
  b: ArrayLike<unknown>,
): void {
  if (a.length !== b.length) {
    throw new MetricsInputError(
      nameB,
      `has ${b.length} elements but ${nameA} has ${a.length}; they must line up`,
    );
  }
}

/** Every label is an integer class index in [0, numClasses). */
export function checkClassLabels(argument: string, labels: Labels, numClasses: number): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new MetricsInputError(argument, `${v} is not a class index in [0, ${numClasses})`, i);
    }
  }
}

/** Every value is a finite number (no NaN, no ±Infinity). */
export function checkFinite(argument: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) {
      throw new MetricsInputError(argument, `${values[i]} is not a finite number`, i);
    }
  }
}

/** Every value is a probability: finite and in [0, 1]. */
export function checkProbabilities(argument: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!(v >= 0 && v <= 1)) {
      throw new MetricsInputError(argument, `${v} is not a probability in [0, 1]`, i);
    }
  }
}

export function checkNonEmpty(argument: string, values: ArrayLike<unknown>): void {
  if (values.length === 0) throw new MetricsInputError(argument, 'is empty');
}
