import { MetricsInputError } from '../input/metrics-input-error.ts';
import { checkNumClasses, checkProbabilities } from '../input/validate.ts';
import { createRandom } from '../stats/random.ts';
import { checkFeatureMatrix } from './feature-matrix.ts';

export type PairDistance = 'euclidean' | 'cosine';

export interface LipschitzOptions {
  /** Every unordered pair i < j, or `sample` pairs drawn with replacement from `seed`. */
  pairs?: 'all' | { sample: number; seed: number };
  /** Distance between feature rows. Default 'euclidean'. */
  distance?: PairDistance;
}

export interface LipschitzFairness {
  /** Mean over the pairs used of ‖f(x_i) − f(x_j)‖₁ / dist(x_i, x_j); NaN when no pair is used. */
  value: number;
  /** Pairs that entered the mean. */
  pairs: number;
  /** Pairs left out because their feature distance is zero (see `lipschitzFairness`). */
  skippedZeroDistance: number;
}

/**
 * Individual fairness as a Lipschitz ratio (after Dwork et al. 2012, "Fairness Through
 * Awareness"; the measure of Mohammadshahi & Ioannou 2025): mean over pairs of
 * ‖f(x_i) − f(x_j)‖₁ / dist(x_i, x_j), f = the predicted probability vector. Lower is fairer.
 *
 * `probs` is n×numClasses row-major, each value in [0, 1] (rows are not required to sum to 1).
 * `features` is n×d row-major. Distances:
 * - 'euclidean': sqrt(Σ (x_t − y_t)²) from exact differences, so it is 0 only for equal rows.
 * - 'cosine': 1 − x·y / sqrt(‖x‖²‖y‖²), clamped to [0, 2] (scipy's `cosine`). A zero row has
 *   no direction, so it is an input error rather than a silently dropped example. Rows that
 *   point the same way give 1 − cos ≈ 0 up to rounding (≈ d·2⁻⁵² for parallel, unequal rows),
 *   and dividing by that noise would swamp the mean, so distances ≤ 2(d + 2)·Number.EPSILON,
 *   the rounding bound of the formula, count as zero.
 * Pairs at zero distance have no finite ratio (Dwork's condition says nothing about how far
 * their outputs may be); they are left out of the mean and counted in `skippedZeroDistance`.
 *
 * pairs 'all' visits every i < j: O(n²·(d + numClasses)) time, O(1) extra memory for
 * 'euclidean' (O(n) for the cosine norms). { sample, seed }: `sample` unordered pairs i ≠ j,
 * each uniform over the n(n − 1)/2 pairs, drawn with replacement from Mulberry32(seed), so
 * the same inputs and seed give the same value. Fewer than two rows: value NaN, pairs 0.
 */
export function lipschitzFairness(
  probs: ArrayLike<number>,
  numClasses: number,
  features: ArrayLike<number>,
  d: number,
  { pairs = 'all', distance = 'euclidean' }: LipschitzOptions = {},
): LipschitzFairness {
  checkNumClasses(numClasses);
  if (probs.length % numClasses !== 0) {
    throw new MetricsInputError(
      'probs',
      `has ${probs.length} values, which is not a whole number of rows of numClasses = ${numClasses}`,
    );
  }
  checkProbabilities('probs', probs);
  const n = probs.length / numClasses;
  checkFeatureMatrix(features, d, n, 'probs');
  if (distance !== 'euclidean' && distance !== 'cosine') {
    throw new MetricsInputError('distance', `must be 'euclidean' or 'cosine', got ${distance}`);
  }
  if (pairs !== 'all') checkSample(pairs);

  const norms = distance === 'cosine' ? rowNorms(features, n, d) : undefined;
  const zeroBelow = distance === 'cosine' ? 2 * (d + 2) * Number.EPSILON : 0;
  const mean = new MeanOfRatios();
  const addPair = (i: number, j: number): void => {
    const dist =
      norms === undefined ? euclidean(features, d, i, j) : cosine(features, d, norms, i, j);
    if (dist <= zeroBelow) mean.skipped++;
    else mean.add(l1(probs, numClasses, i, j) / dist);
  };

  if (pairs === 'all') {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) addPair(i, j);
  } else if (n >= 2) {
    const random = createRandom(pairs.seed);
    for (let s = 0; s < pairs.sample; s++) {
      // Uniform ordered pair i ≠ j, hence uniform unordered pair.
      const i = Math.floor(random.next() * n);
      let j = Math.floor(random.next() * (n - 1));
      if (j >= i) j++;
      addPair(i, j);
    }
  }
  return { value: mean.value(), pairs: mean.count, skippedZeroDistance: mean.skipped };
}

function checkSample(pairs: { sample: number; seed: number }): void {
  if (!Number.isInteger(pairs.sample) || pairs.sample < 1) {
    throw new MetricsInputError('pairs.sample', `must be a positive integer, got ${pairs.sample}`);
  }
  if (!Number.isInteger(pairs.seed)) {
    throw new MetricsInputError('pairs.seed', `must be an integer, got ${pairs.seed}`);
  }
}

/** Neumaier-compensated running mean: 'all' over n = 10⁴ adds 5·10⁷ terms. */
class MeanOfRatios {
  count = 0;
  skipped = 0;
  private sum = 0;
  private compensation = 0;

  add(v: number): void {
    const t = this.sum + v;
    this.compensation += Math.abs(this.sum) >= Math.abs(v) ? this.sum - t + v : v - t + this.sum;
    this.sum = t;
    this.count++;
  }

  value(): number {
    return this.count === 0 ? Number.NaN : (this.sum + this.compensation) / this.count;
  }
}

function l1(probs: ArrayLike<number>, c: number, i: number, j: number): number {
  let s = 0;
  for (let a = i * c, b = j * c, end = a + c; a < end; a++, b++) {
    s += Math.abs((probs[a] as number) - (probs[b] as number));
  }
  return s;
}

function euclidean(x: ArrayLike<number>, d: number, i: number, j: number): number {
  let s = 0;
  for (let a = i * d, b = j * d, end = a + d; a < end; a++, b++) {
    const diff = (x[a] as number) - (x[b] as number);
    s += diff * diff;
  }
  return Math.sqrt(s);
}

function cosine(x: ArrayLike<number>, d: number, sq: Float64Array, i: number, j: number): number {
  let dot = 0;
  for (let a = i * d, b = j * d, end = a + d; a < end; a++, b++) {
    dot += (x[a] as number) * (x[b] as number);
  }
  // sqrt(‖x‖²·‖x‖²) is exactly ‖x‖², so a row against itself gives exactly 0.
  const dist = 1 - dot / Math.sqrt((sq[i] as number) * (sq[j] as number));
  return Math.min(2, Math.max(0, dist));
}

/** Squared norms ‖x_i‖², rejecting zero rows (cosine distance is undefined for them). */
function rowNorms(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = i * d, end = t + d; t < end; t++) s += (x[t] as number) * (x[t] as number);
    if (s === 0) {
      throw new MetricsInputError(
        'features',
        `row ${i} has zero norm; cosine distance is undefined for it (use 'euclidean' or drop the row)`,
        i * d,
      );
    }
    sq[i] = s;
  }
  return sq;
}
