import { regularizedIncompleteBetaParts } from './incomplete-beta.ts';
import { logBeta } from './log-gamma.ts';
import { studentTTwoSidedP } from './student-t.ts';

// Newton from a good start converges in a handful of steps; the cap only bounds the bisection
// fallback, which halves the bracket each time (a double has ~2100 halvings of [0, 1e308]).
const MAX_STEPS = 2200;

/**
 * The p-quantile of Student's t with df > 0 degrees of freedom (df need not be an integer): t
 * with P(T ≤ t) = p, as scipy's `stats.t.ppf(p, df)`. By symmetry it solves, for t ≥ 0, the
 * smaller of the two-sided tail P(|T| ≥ t) = 2·min(p, 1 − p) (studentTTwoSidedP, A&S 26.7.1)
 * and the centre P(|T| < t) = |2p − 1| = I_{t²/(df+t²)}(1/2, df/2), so both ends keep full
 * relative precision, and the quantile agrees with the p-value to rounding: a Welch interval at
 * level 1 − α excludes 0 exactly when p < α.
 * Newton's method on the log of that probability, whose derivative is ∓2f(t)/P with the t
 * density f(t) = (1 + t²/df)^(−(df+1)/2) / (√df · B(df/2, 1/2)), kept inside a bracket that
 * shrinks every step (bisection when a Newton step would leave it). Starts: for the tail, the
 * Cornish–Fisher expansion about the normal quantile (A&S 26.7.5, with 26.2.23's normal
 * quantile) when df ≥ 3, else the power-law tail P ≈ 2 df^(df/2−1) t^(−df) / B(df/2, 1/2); for
 * the centre, P ≈ 2f(0)·t.
 * p = 0 → −∞, p = 1 → +∞, p = 0.5 → 0; NaN for p outside [0, 1], df ≤ 0, df = ∞ or NaN (as
 * studentTTwoSidedP).
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0 && p <= 1) || !(df > 0) || df === Number.POSITIVE_INFINITY) return Number.NaN;
  if (p === 0.5) return 0;
  // 2p − 1 is exact for p ≥ 1/4 (Sterbenz), which is where the centre is the smaller side.
  const t = criticalValue(2 * (p < 0.5 ? p : 1 - p), Math.abs(2 * p - 1), df);
  return p < 0.5 ? -t : t;
}

/** t ≥ 0 with P(|T| ≥ t) = tail, equivalently P(|T| < t) = central = 1 − tail. */
function criticalValue(tail: number, central: number, df: number): number {
  if (tail === 0) return Number.POSITIVE_INFINITY;
  const logB = logBeta(df / 2, 0.5);
  // Solve for the smaller probability: the tail is decreasing in t (sign −1), the centre
  // increasing (sign +1).
  const useTail = tail <= 0.5;
  const target = useTail ? tail : central;
  const sign = useTail ? -1 : 1;
  const probability = useTail
    ? (t: number) => studentTTwoSidedP(t, df)
    : (t: number) => centralProbability(t, df);
  const logTarget = Math.log(target);
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  let t = useTail
    ? tailStart(logTarget, df, logB)
    : Math.exp(logTarget - Math.LN2 - logDensity(0, df, logB));
  let previousStep = Number.POSITIVE_INFINITY;
  for (let iteration = 0; iteration < MAX_STEPS; iteration++) {
    const p = probability(t);
    if (p === target) return t;
    if ((p - target) * sign < 0) lo = t;
    else hi = t;
    // Newton on g(t) = ln P − ln target, g′ = sign · 2f(t)/P: t ← t − sign · g · P / (2 f(t)),
    // the ratio P/f taken in logs.
    const logP = Math.log(p);
    const next = t - (sign * ((logP - logTarget) * Math.exp(logP - logDensity(t, df, logB)))) / 2;
    const step = Math.abs(next - t);
    // Converged: a Newton step at rounding level, or (P itself carries ~1e-15 relative
    // rounding) Newton steps that stopped shrinking once already within 1e-12.
    if (step <= 4 * Number.EPSILON * t || (step <= 1e-12 * t && step >= previousStep / 2)) {
      return next;
    }
    const inside = next > lo && next < hi;
    const t2 = inside ? next : hi === Number.POSITIVE_INFINITY ? 2 * t + 1 : lo + (hi - lo) / 2;
    // A bracket shrunk to adjacent doubles: nothing between them is closer.
    if (t2 === lo || t2 === hi) return t2;
    previousStep = inside ? step : Number.POSITIVE_INFINITY;
    t = t2;
  }
  return t;
}

/**
 * P(|T| < t) = I_x(1/2, df/2) with x = s/(1+s), s = t²/df (A&S 26.7.1), taken from
 * the logs so that tiny t keeps full relative precision.
 */
function centralProbability(t: number, df: number): number {
  const s = (t / df) * t;
  const logS = 2 * Math.log(t) - Math.log(df);
  const logOnePlusS = Math.log1p(s);
  return regularizedIncompleteBetaParts(
    0.5,
    df / 2,
    Math.exp(logS - logOnePlusS),
    1 / (1 + s),
    logS - logOnePlusS,
    -logOnePlusS,
  );
}

/** ln f(t), the Student t log-density, with t²/df formed without overflow for huge t. */
function logDensity(t: number, df: number, logB: number): number {
  const logOnePlus =
    t > 1e150 ? 2 * Math.log(t) - Math.log(df) + Math.log1p(df / t / t) : Math.log1p((t * t) / df);
  return (-(df + 1) / 2) * logOnePlus - 0.5 * Math.log(df) - logB;
}

function tailStart(logTail: number, df: number, logB: number): number {
  if (df >= 3) {
    // A&S 26.2.23: the upper normal quantile of q = tail/2, |error| < 4.5e-4.
    const w = Math.sqrt(-2 * (logTail - Math.LN2));
    const z =
      w -
      (2.515517 + 0.802853 * w + 0.010328 * w * w) /
        (1 + 1.432788 * w + 0.189269 * w * w + 0.001308 * w * w * w);
    // A&S 26.7.5: Cornish–Fisher terms in 1/df.
    const z2 = z * z;
    const g1 = (z * (z2 + 1)) / 4;
    const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
    const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
    const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
    const t = z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
    if (t > 0 && Number.isFinite(t)) return t;
  }
  const logT = (Math.LN2 + (df / 2 - 1) * Math.log(df) - logB - logTail) / df;
  return Math.min(Math.exp(logT), Number.MAX_VALUE);
}
