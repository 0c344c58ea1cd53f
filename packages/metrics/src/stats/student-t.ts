import { regularizedIncompleteBetaParts } from './incomplete-beta.ts';

/**
 * Two-sided p-value of Student's t with df > 0 degrees of freedom (df need not be an integer):
 * p = P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2) (Abramowitz & Stegun 26.7.1, via 26.5.27).
 * x = df/(df+t²) and 1 − x = t²/(df+t²) are formed from the ratio r = df/t² (or its inverse),
 * never by subtracting from 1, so tiny tail probabilities (1e-20, 1e-100) keep full relative
 * precision, as in scipy's `2 * stdtr(df, -|t|)`.
 * Edge cases: t = ±∞ → 0; t = 0 → 1; t or df NaN, df ≤ 0 or df = ∞ → NaN.
 */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0) || df === Number.POSITIVE_INFINITY) return Number.NaN;
  const absT = Math.abs(t);
  if (absT === Number.POSITIVE_INFINITY) return 0;
  if (absT === 0) return 1;
  return Math.min(1, Math.max(0, tailProbability(absT, df)));
}

// Rounding can leave I_x a hair outside [0, 1]; the caller clamps.
function tailProbability(absT: number, df: number): number {
  const a = df / 2;
  if (absT * absT > df) {
    // Tail: r = df/t² < 1; x = r/(1+r), 1 − x = 1/(1+r). Divide twice so t² cannot overflow.
    const r = df / absT / absT;
    const logR = r > 1e-300 ? Math.log(r) : Math.log(df) - 2 * Math.log(absT);
    const logOnePlusR = Math.log1p(r);
    return regularizedIncompleteBetaParts(
      a,
      0.5,
      r / (1 + r),
      1 / (1 + r),
      logR - logOnePlusR,
      -logOnePlusR,
    );
  }
  // Centre: s = t²/df ≤ 1; x = 1/(1+s), 1 − x = s/(1+s).
  const s = (absT / df) * absT;
  const logOnePlusS = Math.log1p(s);
  const logS = s > 1e-300 ? Math.log(s) : 2 * Math.log(absT) - Math.log(df);
  return regularizedIncompleteBetaParts(
    a,
    0.5,
    1 / (1 + s),
    s / (1 + s),
    -logOnePlusS,
    logS - logOnePlusS,
  );
}
