import { logBeta } from './log-gamma.ts';

// The fraction converges in O(√max(a, b)) terms (~4,000 for a = 10⁸); the cap only stops a
// runaway loop on non-finite input.
const MAX_TERMS = 100_000;

/**
 * Continued fraction for I_x(a, b) / (x^a y^b / B(a, b)), y = 1 − x, in the form of
 * Didonato & Morris (1992, TOMS 708, `bfrac`), evaluated by forward recurrence with rescaling.
 * Unlike Numerical Recipes' `betacf`, whose first partial denominator 1 − (a+b)x/(a+1) cancels
 * catastrophically for large a near the switch point (2e-12 relative error for Student's t at
 * df = 1e5, t = 3), it takes λ = a − (a+b)x, which the caller forms without cancellation.
 * Meant for λ ≥ 0, i.e. x ≤ a/(a+b).
 */
function betaContinuedFraction(a: number, b: number, x: number, y: number, lambda: number): number {
  const c = 1 + lambda;
  const c0 = b / a;
  const c1 = 1 / a + 1;
  const yp1 = y + 1;
  let p = 1;
  let s = a + 1;
  let an = 0;
  let bn = 1;
  let anp1 = 1;
  let bnp1 = c / c1;
  let r = c1 / c;
  for (let n = 1; n <= MAX_TERMS; n++) {
    let t = n / a;
    const w = n * (b - n) * x;
    let e = a / s;
    const alpha = p * (p + c0) * e * e * (w * x);
    e = (t + 1) / (c1 + t + t);
    const beta = n + w / s + e * (c + n * yp1);
    p = t + 1;
    s += 2;
    t = alpha * an + beta * anp1;
    an = anp1;
    anp1 = t;
    t = alpha * bn + beta * bnp1;
    bn = bnp1;
    bnp1 = t;
    const previous = r;
    r = anp1 / bnp1;
    if (Math.abs(r - previous) <= Number.EPSILON * r) break;
    // Rescale so the convergents cannot overflow.
    an /= bnp1;
    bn /= bnp1;
    anp1 = r;
    bnp1 = 1;
  }
  return r;
}

/**
 * Regularized incomplete beta I_x(a, b) = B(x; a, b) / B(a, b), from x, y = 1 − x and their
 * logarithms. Callers that know 1 − x (or the logs) more accurately than by subtraction — e.g.
 * Student's t, where x = df/(df + t²) and 1 − x = t²/(df + t²) — pass them so tails keep full
 * relative precision. I_x(a, b) = x^a y^b / B(a, b) · CF (Didonato & Morris 1992) when
 * x ≤ a/(a+b), else 1 − I_y(b, a) (the symmetry of Numerical Recipes §6.4).
 */
export function regularizedIncompleteBetaParts(
  a: number,
  b: number,
  x: number,
  y: number,
  logX: number,
  logY: number,
): number {
  if (!(a > 0 && b > 0) || !(x >= 0 && y >= 0)) return Number.NaN;
  if (x === 0 && logX === Number.NEGATIVE_INFINITY) return 0;
  if (y === 0 && logY === Number.NEGATIVE_INFINITY) return 1;
  // λ = a − (a+b)x, taken from whichever of x and y is small so it does not cancel.
  const lambda = x <= 0.5 ? a - (a + b) * x : (a + b) * y - b;
  const front = Math.exp(a * logX + b * logY - logBeta(a, b));
  if (lambda >= 0) return front * betaContinuedFraction(a, b, x, y, lambda);
  return 1 - front * betaContinuedFraction(b, a, y, x, -lambda);
}

/**
 * Regularized incomplete beta I_x(a, b) = (1/B(a, b)) ∫₀ˣ t^(a−1) (1−t)^(b−1) dt for
 * 0 ≤ x ≤ 1, a, b > 0 (scipy.special.betainc); NaN outside that domain. Pass `oneMinusX` when
 * 1 − x is known more precisely than the subtraction gives (x close to 1).
 */
export function regularizedIncompleteBeta(
  x: number,
  a: number,
  b: number,
  oneMinusX = 1 - x,
): number {
  if (!(x >= 0 && x <= 1 && oneMinusX >= 0 && oneMinusX <= 1)) return Number.NaN;
  // ln x for x near 1 is better taken as ln(1 − y), and vice versa.
  const logX = x > 0.5 ? Math.log1p(-oneMinusX) : Math.log(x);
  const logY = oneMinusX > 0.5 ? Math.log1p(-x) : Math.log(oneMinusX);
  return regularizedIncompleteBetaParts(a, b, x, oneMinusX, logX, logY);
}
