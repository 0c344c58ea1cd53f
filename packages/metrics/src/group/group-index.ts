import { MetricsInputError } from '../input/metrics-input-error.ts';
import type { Sensitive } from '../input/validate.ts';

/**
 * A sensitive feature factorised into integer group codes. Every metric accepts one in place
 * of the raw feature: pass it when several metrics share a string (or non-integer) feature,
 * since the per-row Map lookups of factorising cost more than the metric itself.
 */
export interface GroupIndex {
  /** Distinct values, sorted like pandas `groupby`: numbers ascending, strings by code point. */
  readonly groups: (string | number)[];
  /** `codes[i]` is the position in `groups` of row i's value. */
  readonly codes: Int32Array;
  /** Rows per group; never 0, since a group exists only because some row has its value. */
  readonly counts: Float64Array;
}

// Integer features spanning few values go through a lookup table instead of a Map: faster,
// and the table is already in ascending order. The span is capped by n (or 1024) so a
// table is never much larger than the data, and by 2^16 so it stays small in absolute terms.
const MIN_TABLE_SPAN = 1 << 10;
const MAX_TABLE_SPAN = 1 << 16;

/**
 * Factorise a sensitive feature in O(n) (+ O(k log k) to sort k distinct values).
 *
 * Groups are ordered as fairlearn's `MetricFrame.by_group` orders them (pandas
 * `groupby(sort=True)`): numbers ascending, strings by Unicode code point (Python's order,
 * which differs from JavaScript's UTF-16 `<` for characters outside the BMP).
 *
 * Rules where pandas would be silent or surprising, so they are rejected instead:
 * - mixed strings and numbers throw a MetricsInputError at the first value whose type
 *   differs from row 0 (is `1` the same group as `'1'`? pandas keeps them apart and orders
 *   numbers first by accident of implementation; it is almost always a data bug);
 * - NaN throws (pandas drops NaN rows from `by_group` but keeps them in `overall`);
 * - anything that is neither a string nor a number throws.
 * `0` and `-0` are one group. An empty input gives no groups.
 */
export function groupIndex(sensitive: Sensitive, argument = 'sensitive'): GroupIndex {
  if (sensitive.length === 0) {
    return { groups: [], codes: new Int32Array(0), counts: new Float64Array(0) };
  }
  const range = smallIntegerRange(sensitive);
  if (range !== undefined) return tableIndex(sensitive as ArrayLike<number>, range);
  const first = sensitive[0];
  if (typeof first === 'number') return mapIndex(sensitive, argument, 'number');
  if (typeof first === 'string') return mapIndex(sensitive, argument, 'string');
  throw new MetricsInputError(argument, `${String(first)} is not a string or a number`, 0);
}

/** Values min .. min + span − 1, all int32. */
export interface IntegerRange {
  readonly min: number;
  readonly span: number;
}

/**
 * The range of a feature made only of int32 numbers spanning few enough values for a lookup
 * table (at most max(1024, n) and at most 2^16); undefined otherwise, including for any
 * string or NaN, which groupIndex then validates.
 */
export function smallIntegerRange(sensitive: Sensitive): IntegerRange | undefined {
  if (sensitive.length === 0) return undefined;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < sensitive.length; i++) {
    const v = sensitive[i];
    if (typeof v !== 'number' || (v | 0) !== v) return undefined;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min + 1;
  const limit = Math.min(MAX_TABLE_SPAN, Math.max(MIN_TABLE_SPAN, sensitive.length));
  return span <= limit ? { min, span } : undefined;
}

/** Whether `sensitive` is an already computed GroupIndex (to reuse one factorisation). */
export function isGroupIndex(sensitive: Sensitive | GroupIndex): sensitive is GroupIndex {
  return 'codes' in sensitive && sensitive.codes instanceof Int32Array;
}

/** Python's `str` order: by code point, not by UTF-16 code unit as JavaScript's `<` is. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) {
      return (a.codePointAt(i) as number) - (b.codePointAt(i) as number);
    }
  }
  return a.length - b.length;
}

function tableIndex(sensitive: ArrayLike<number>, { min, span }: IntegerRange): GroupIndex {
  const n = sensitive.length;
  const slotCounts = new Float64Array(span);
  for (let i = 0; i < n; i++) {
    const s = (sensitive[i] as number) - min;
    slotCounts[s] = (slotCounts[s] as number) + 1;
  }
  // Slots are already in ascending order; keep the occupied ones.
  const slotCode = new Int32Array(span);
  const groups: number[] = [];
  const counts: number[] = [];
  for (let s = 0; s < span; s++) {
    const c = slotCounts[s] as number;
    if (c > 0) {
      slotCode[s] = groups.length;
      groups.push(s + min);
      counts.push(c);
    }
  }
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = slotCode[(sensitive[i] as number) - min] as number;
  return { groups, codes, counts: Float64Array.from(counts) };
}

function mapIndex(sensitive: Sensitive, argument: string, kind: 'string' | 'number'): GroupIndex {
  const n = sensitive.length;
  const firstSeen = new Map<string | number, number>();
  const provisional = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = sensitive[i];
    if (typeof v !== kind || Number.isNaN(v)) throw badValue(argument, v, i, kind);
    let code = firstSeen.get(v as string | number);
    if (code === undefined) {
      code = firstSeen.size;
      firstSeen.set(v as string | number, code);
    }
    provisional[i] = code;
  }
  const distinct = [...firstSeen.keys()];
  const order = distinct.map((_, k) => k);
  order.sort(
    kind === 'number'
      ? (a, b) => (distinct[a] as number) - (distinct[b] as number)
      : (a, b) => compareCodePoints(distinct[a] as string, distinct[b] as string),
  );
  const rank = new Int32Array(order.length);
  order.forEach((k, r) => {
    rank[k] = r;
  });
  const codes = new Int32Array(n);
  const counts = new Float64Array(order.length);
  for (let i = 0; i < n; i++) {
    const g = rank[provisional[i] as number] as number;
    codes[i] = g;
    counts[g] = (counts[g] as number) + 1;
  }
  return { groups: order.map((k) => distinct[k] as string | number), codes, counts };
}

function badValue(argument: string, v: unknown, i: number, expected: string): MetricsInputError {
  if (typeof v === 'number' && Number.isNaN(v)) {
    return new MetricsInputError(
      argument,
      'NaN is not a group; give missing values an explicit group name',
      i,
    );
  }
  const got = typeof v === 'string' ? `'${v}'` : String(v);
  return new MetricsInputError(
    argument,
    `${got} is a ${typeof v} but ${argument}[0] is a ${expected}; use one type for all groups (is 1 the same group as '1'?)`,
    i,
  );
}
