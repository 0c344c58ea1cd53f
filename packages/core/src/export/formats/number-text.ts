/**
 * Numbers as text for CSV and JSON Lines: valid JSON numbers, so both formats share them, and
 * exact, so a reader gets back the very value Parquet holds. null where the value is absent
 * (null, NaN, ±∞): JSON has no NaN.
 */

/** 2^−126: below it a float32 is subnormal. */
const MIN_NORMAL_FLOAT32 = 2 ** -126;

/** A double (accuracies, p-values): JavaScript's shortest round-trip form. */
export function doubleText(value: number | null): string | null {
  return value !== null && Number.isFinite(value) ? String(value) : null;
}

/** An int32 (indices, counts, seeds). */
export const int32Text = doubleText;

/**
 * A float32 (stored probabilities): the shortest decimal that reads back as the same float32,
 * so 0.8f is "0.8" (as numpy prints it) and not its double expansion 0.800000011920929. Nine
 * significant digits always round-trip a float32 (IEEE 754-2008 §5.12.2); fewer usually do.
 * Rounding to p ≤ 6 digits lands on the shortest form when that has at most p digits (a
 * normal float32's half-ulp, ≤ 2⁻²⁴ relative, is inside half a sixth digit, ≥ 5e-7 relative),
 * so the search tries 8, then 7 and 6 only while they still round-trip: two tries for most
 * values. A tie (an exact 9-digit value such as 0.126953125) rounds half up, where numpy rounds
 * half to even; both read back as the same float32. Subnormals carry fewer bits (1e-45 is one):
 * there every length from 1 is tried.
 */
export function float32Text(value: number | null): string | null {
  if (value === null || !Number.isFinite(value)) return null;
  if (Math.abs(value) < MIN_NORMAL_FLOAT32) {
    for (let digits = 1; digits < 9; digits++) {
      const n = Number(value.toPrecision(digits));
      if (Math.fround(n) === value) return String(n);
    }
    return String(Number(value.toPrecision(9)));
  }
  const eight = Number(value.toPrecision(8));
  if (Math.fround(eight) !== value) return String(Number(value.toPrecision(9)));
  const seven = Number(value.toPrecision(7));
  if (Math.fround(seven) !== value) return String(eight);
  const six = Number(value.toPrecision(6));
  return String(Math.fround(six) === value ? six : seven);
}
