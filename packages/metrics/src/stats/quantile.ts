/**
 * The q-quantile (0 ≤ q ≤ 1) of values already sorted ascending, by linear interpolation between
 * order statistics — numpy's default `quantile(…, method='linear')`, Hyndman & Fan (1996)
 * definition 7: h = (n − 1)q, Q = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎). The interpolation is
 * written as numpy's `_lerp` writes it (from the nearer end), so results agree to the last bit.
 * NaN when the array is empty or q is outside [0, 1]; NaN entries propagate as in numpy only if
 * they are among the two order statistics used, so callers should check for NaN first.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0 || !(q >= 0 && q <= 1)) return Number.NaN;
  const h = (n - 1) * q;
  const below = Math.floor(h);
  const lo = sorted[below] as number;
  if (below >= n - 1) return lo;
  const hi = sorted[below + 1] as number;
  const gamma = h - below;
  const diff = hi - lo;
  return gamma >= 0.5 ? hi - diff * (1 - gamma) : lo + diff * gamma;
}
