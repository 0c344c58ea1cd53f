import { MetricsInputError } from '../input/metrics-input-error.ts';
import { mean, sampleVariance } from './sample-moments.ts';
import { studentTTwoSidedP } from './student-t.ts';

/** Result of a two-sided two-sample t-test. */
export interface TTestResult {
  /** t = (x̄_a − x̄_b) / SE; positive when sample a has the larger mean. */
  t: number;
  /** Degrees of freedom (Welch–Satterthwaite; not necessarily an integer). */
  df: number;
  /** Two-sided p-value P(|T_df| ≥ |t|). */
  pValue: number;
}

/**
 * Welch's t-test from summary statistics (Welch 1947; df by Welch–Satterthwaite):
 * t = (m_a − m_b) / √(v_a/n_a + v_b/n_b),
 * df = (v_a/n_a + v_b/n_b)² / ((v_a/n_a)²/(n_a − 1) + (v_b/n_b)²/(n_b − 1)),
 * with v the sample variances (ddof 1). Inputs are trusted (n ≥ 2, v ≥ 0); see `welchTTest`
 * for the zero-variance rules, which this shares.
 */
export function welchTTestFromMoments(
  meanA: number,
  varianceA: number,
  nA: number,
  meanB: number,
  varianceB: number,
  nB: number,
): TTestResult {
  const seA = varianceA / nA;
  const seB = varianceB / nB;
  const t = (meanA - meanB) / Math.sqrt(seA + seB);
  const scale = Math.max(seA, seB);
  if (scale === 0) {
    // Both samples constant: t is ±∞ (means differ, p = 0) or NaN (means equal, p NaN);
    // df = 0/0 is undefined and reported as NaN.
    return { t, df: Number.NaN, pValue: Number.isNaN(t) ? Number.NaN : 0 };
  }
  // Divide by the larger term first so squares of tiny variances cannot underflow to 0/0.
  const ua = seA / scale;
  const ub = seB / scale;
  const df = ((ua + ub) * (ua + ub)) / ((ua * ua) / (nA - 1) + (ub * ub) / (nB - 1));
  return { t, df, pValue: studentTTwoSidedP(t, df) };
}

function checkSample(argument: string, values: ArrayLike<number>): void {
  if (values.length < 2) {
    throw new MetricsInputError(
      argument,
      `needs at least 2 values for a sample variance, got ${values.length}`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      throw new MetricsInputError(argument, `${v} is not a finite number`, i);
    }
  }
}

/**
 * Two-sided Welch t-test (unequal variances) of sample a against sample b (Welch 1947; df by
 * Welch–Satterthwaite): t = (ā − b̄) / √(s²_a/n_a + s²_b/n_b),
 * df = (s²_a/n_a + s²_b/n_b)² / ((s²_a/n_a)²/(n_a−1) + (s²_b/n_b)²/(n_b−1)),
 * p = I_{df/(df+t²)}(df/2, ½). Same t and p as `scipy.stats.ttest_ind(a, b, equal_var=False)`.
 *
 * Each sample needs ≥ 2 finite values (else MetricsInputError naming `a` or `b`, with the index
 * of the first NaN or ±∞).
 *
 * Zero variance, matching scipy 1.10:
 * - one sample constant, the other not: an ordinary test, df = n − 1 of the varying sample;
 * - both constant, means differ: t = ±∞ and p = 0 (scipy: t = ±inf, p = 0.0);
 * - both constant, means equal: t = NaN and p = NaN (scipy: nan, nan).
 * In both all-constant cases df = 0/0 is reported as NaN; scipy does not return df in 1.10 and
 * later versions report its internal placeholder df = 1, which carries no information.
 * Where the variances are below ~1e-154 we still compute df (scaled so the squares cannot
 * underflow); scipy's df underflows to 0/0 there and it falls back to df = 1.
 */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>): TTestResult {
  checkSample('a', a);
  checkSample('b', b);
  const meanA = mean(a);
  const meanB = mean(b);
  return welchTTestFromMoments(
    meanA,
    sampleVariance(a, meanA),
    a.length,
    meanB,
    sampleVariance(b, meanB),
    b.length,
  );
}
