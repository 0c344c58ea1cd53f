import { MetricsInputError } from '../input/metrics-input-error.ts';
import { checkFinite, checkNonEmpty } from '../input/validate.ts';
import { quantileSorted } from './quantile.ts';
import { createRandom } from './random.ts';
import { mean } from './sample-moments.ts';

/** A statistic of n units (seeds, runs, examples) that is recomputed on resampled indices. */
export interface IndexStatistic {
  /** Number of units; each replicate draws n indices from 0..n−1 with replacement. */
  n: number;
  /**
   * The statistic of the units at `indices` (repeats allowed). The array is reused between
   * replicates: read it, do not keep it.
   */
  statistic: (indices: Int32Array) => number;
}

export interface BootstrapOptions {
  /** Number of bootstrap replicates (default 2000). */
  iterations?: number;
  /** Coverage of the interval, in (0, 1) (default 0.95). */
  confidence?: number;
  /** Seed of the resampling stream (default 0): the same seed gives the same interval. */
  seed?: number;
}

export interface ValuesBootstrapOptions extends BootstrapOptions {
  /**
   * Statistic of a sample (default: the mean). The array is reused between replicates: read
   * it, do not keep it.
   */
  statistic?: (sample: Float64Array) => number;
}

export interface BootstrapInterval {
  /** The statistic on the original sample (all units once). */
  estimate: number;
  /** The (1 − confidence)/2 percentile of the replicates. */
  lower: number;
  /** The (1 + confidence)/2 percentile of the replicates. */
  upper: number;
  confidence: number;
  iterations: number;
}

function isIndexStatistic(input: ArrayLike<number> | IndexStatistic): input is IndexStatistic {
  return typeof (input as Partial<IndexStatistic>).statistic === 'function';
}

/**
 * Percentile bootstrap confidence interval (Efron & Tibshirani 1993, §13.3): draw `iterations`
 * resamples of size n with replacement, compute the statistic on each, and take the
 * (1 − confidence)/2 and (1 + confidence)/2 percentiles of those replicates, interpolated
 * linearly like numpy.percentile's default.
 *
 * Two forms draw exactly the same indices for the same seed and n:
 * - values: resample the numbers themselves (statistic from `options.statistic`, default mean);
 *   values must be finite and non-empty (MetricsInputError naming `values` and the index);
 * - `{ n, statistic(indices) }`: resample the indices 0..n−1, e.g. to bootstrap over seeds or
 *   runs whose statistic needs more than one number per unit.
 * If any replicate is NaN, lower and upper are NaN (as numpy.percentile gives), rather than an
 * interval over the replicates that happened to be defined.
 */
export function bootstrapCI(
  values: ArrayLike<number>,
  options?: ValuesBootstrapOptions,
): BootstrapInterval;
export function bootstrapCI(
  resample: IndexStatistic,
  options?: BootstrapOptions,
): BootstrapInterval;
export function bootstrapCI(
  input: ArrayLike<number> | IndexStatistic,
  options: ValuesBootstrapOptions = {},
): BootstrapInterval {
  const { iterations = 2000, confidence = 0.95, seed = 0 } = options;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new MetricsInputError('iterations', `must be a positive integer, got ${iterations}`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new MetricsInputError('confidence', `must be in (0, 1), got ${confidence}`);
  }
  const random = createRandom(seed);

  let n: number;
  let statisticOf: (indices: Int32Array) => number;
  if (isIndexStatistic(input)) {
    if (options.statistic !== undefined) {
      throw new MetricsInputError(
        'options.statistic',
        'is for the values form; with { n, statistic } the statistic is given there',
      );
    }
    n = input.n;
    if (!Number.isInteger(n) || n < 1) {
      throw new MetricsInputError('n', `must be a positive integer, got ${n}`);
    }
    statisticOf = input.statistic;
  } else {
    checkNonEmpty('values', input);
    checkFinite('values', input);
    n = input.length;
    const statistic = options.statistic ?? mean;
    const source = Float64Array.from(input);
    const sample = new Float64Array(n);
    statisticOf = (indices) => {
      for (let i = 0; i < n; i++) sample[i] = source[indices[i] as number] as number;
      return statistic(sample);
    };
  }

  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  const estimate = statisticOf(indices);

  const replicates = new Float64Array(iterations);
  for (let b = 0; b < iterations; b++) {
    for (let i = 0; i < n; i++) indices[i] = random.int(n);
    replicates[b] = statisticOf(indices);
  }
  // Typed-array sort is numeric and puts NaN last.
  replicates.sort();
  const undefinedReplicate = Number.isNaN(replicates[iterations - 1] as number);
  const tail = (1 - confidence) / 2;
  return {
    estimate,
    lower: undefinedReplicate ? Number.NaN : quantileSorted(replicates, tail),
    upper: undefinedReplicate ? Number.NaN : quantileSorted(replicates, 1 - tail),
    confidence,
    iterations,
  };
}
