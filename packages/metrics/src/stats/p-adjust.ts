import { MetricsInputError } from '../input/metrics-input-error.ts';

/** Family-wise (Bonferroni, Holm) or false-discovery-rate (Benjamini–Hochberg) correction. */
export type PAdjustMethod = 'bonferroni' | 'holm' | 'bh';

const METHODS: readonly PAdjustMethod[] = ['bonferroni', 'holm', 'bh'];

/**
 * Adjusted p-values for m tests, the same values as statsmodels 0.13
 * `multipletests(p, method='bonferroni' | 'holm' | 'fdr_bh')[1]`. With p₍₁₎ ≤ … ≤ p₍ₘ₎ sorted:
 * - bonferroni: min(1, m·pᵢ) (Dunn 1961);
 * - holm: p̃₍ᵢ₎ = min(1, max_{j ≤ i} (m − j + 1)·p₍ⱼ₎) (Holm 1979, step-down);
 * - bh: p̃₍ᵢ₎ = min(1, min_{j ≥ i} p₍ⱼ₎ / (j/m)) (Benjamini & Hochberg 1995, step-up).
 * Tied p-values get the same adjusted value, whatever order the sort leaves them in.
 *
 * NaN p-values (e.g. an untestable class) stay NaN in the output and are left out of m: the
 * correction is over the tests actually performed. (statsmodels instead sorts NaN last and lets
 * it leak into the running max/min of its neighbours.) Any other value outside [0, 1] throws a
 * MetricsInputError naming `p` and the first bad index; an unknown method names `method`.
 */
export function adjustPValues(p: ArrayLike<number>, method: PAdjustMethod): Float64Array {
  if (!METHODS.includes(method)) {
    throw new MetricsInputError('method', `must be one of ${METHODS.join(', ')}, got ${method}`);
  }
  const out = new Float64Array(p.length).fill(Number.NaN);
  const order: number[] = [];
  for (let i = 0; i < p.length; i++) {
    const v = p[i] as number;
    if (Number.isNaN(v)) continue;
    if (!(v >= 0 && v <= 1)) {
      throw new MetricsInputError('p', `${v} is not a p-value in [0, 1]`, i);
    }
    order.push(i);
  }
  const m = order.length;
  const at = (k: number): number => p[order[k] as number] as number;
  if (method === 'bonferroni') {
    for (const i of order) out[i] = Math.min(1, (p[i] as number) * m);
    return out;
  }
  order.sort((i, j) => (p[i] as number) - (p[j] as number));
  if (method === 'holm') {
    let running = 0;
    for (let k = 0; k < m; k++) {
      running = Math.max(running, at(k) * (m - k));
      out[order[k] as number] = Math.min(1, running);
    }
    return out;
  }
  // statsmodels divides by the ECDF factor (k+1)/m rather than multiplying by m/(k+1); the
  // rounding differs in the last bit, so do the same.
  let running = Number.POSITIVE_INFINITY;
  for (let k = m - 1; k >= 0; k--) {
    running = Math.min(running, at(k) / ((k + 1) / m));
    out[order[k] as number] = Math.min(1, running);
  }
  return out;
}
