/** Arithmetic mean Σxᵢ / n; NaN for an empty sample. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/**
 * Unbiased sample variance Σ(xᵢ − x̄)² / (n − 1) (ddof = 1, like numpy's `var(ddof=1)`), by two
 * passes over the data so a large common offset does not cancel away the spread. NaN for n < 2.
 */
export function sampleVariance(values: ArrayLike<number>, sampleMean = mean(values)): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - sampleMean;
    sum += d * d;
  }
  return sum / (n - 1);
}
