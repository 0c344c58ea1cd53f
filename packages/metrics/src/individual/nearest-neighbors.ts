import { MetricsInputError } from '../input/metrics-input-error.ts';
import { featureRows } from './feature-matrix.ts';

/** Check that `k` neighbours can be taken from `n` rows (each row counts as its own neighbour). */
export function checkNeighbourCount(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new MetricsInputError('k', `must be an integer in [1, n = ${n}], got ${k}`);
  }
}

// Bytes of one block of rows kept hot while a 4-row panel streams over it; half of a typical
// 512 KB L2, so the block and the panel stay cached.
const BLOCK_BYTES = 256 * 1024;

/** Shared state of one search: the rows, their squared norms and each row's k best so far. */
interface Search {
  readonly x: Float64Array;
  readonly n: number;
  readonly d: number;
  readonly k: number;
  /** ‖x_i‖²; +Infinity on the padding rows past n, which `offer` then refuses. */
  readonly sq: Float64Array;
  /** 1 − slack, where slack bounds the rounding of ‖x‖² + ‖y‖² − 2x·y relative to ‖x‖² + ‖y‖². */
  readonly keep: number;
  /** Row q's current neighbours, ascending by (squared distance, index): n×k. */
  readonly bestDist: Float64Array;
  readonly bestIdx: Int32Array;
  /** bestDist of row q's k-th neighbour: what a candidate has to beat. */
  readonly worst: Float64Array;
}

/**
 * Exact k nearest neighbours of every row among all rows (the row itself included, at
 * distance 0), Euclidean. Returns an n×k row-major Int32Array; row i lists its neighbours by
 * ascending distance. This is what scikit-learn's `NearestNeighbors(n_neighbors=k).fit(X)
 * .kneighbors(X)` returns: passing X again means the query is not treated as the training set,
 * so x_i is not removed from its own neighbours.
 *
 * Ties: neighbours are the first k rows in (squared distance, index) order, so among rows at
 * the same distance the lower index wins, and the order of rows in the output does not depend
 * on how the search visits them. scikit-learn has no such rule: it feeds candidates to a
 * size-k max-heap (index order for brute force, tree order for kd/ball trees), and which of
 * several tied kept rows a closer newcomer evicts depends on the heap layout. On exact ties at
 * the k-th distance the two may keep different (equidistant) rows; away from ties they agree.
 *
 * Distances are exact: a blocked brute-force pass screens candidates with
 * ‖x‖² + ‖y‖² − 2x·y (a dot-product kernel, 4×2 rows at a time, each unordered pair once),
 * and every candidate that could enter the top k under the worst-case rounding of that
 * expression is re-measured as Σ (x_t − y_t)². O(n²·d) time, O(n·d + n·k) memory (one
 * Float64 copy of the features, no n×n matrix).
 */
export function nearestNeighbors(features: ArrayLike<number>, d: number, k: number): Int32Array {
  const n = featureRows(features, d);
  checkNeighbourCount(k, n);

  // Pad to whole 4-row panels so the kernel has no edge cases.
  const nPad = Math.ceil(n / 4) * 4;
  const x = new Float64Array(nPad * d);
  x.set(features);
  const sq = new Float64Array(nPad).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = i * d, end = t + d; t < end; t++) {
      const v = x[t] as number;
      s += v * v;
    }
    // Keeps ‖x‖² + ‖y‖² and 2x·y finite in the screen; no real feature scale comes near.
    if (!(s <= Number.MAX_VALUE / 4)) {
      throw new MetricsInputError(
        'features',
        `row ${i} has a squared norm above Number.MAX_VALUE / 4; rescale the features`,
        i * d,
      );
    }
    sq[i] = s;
  }

  // ‖x‖² + ‖y‖² − 2x·y differs from the computed Σ (x_t − y_t)² by at most about
  // (4d + 8)·u·(‖x‖² + ‖y‖²), u = 2⁻⁵³ (each length-d sum is off by at most γ_d times the sum
  // of its absolute terms; Higham 2002, §3.1). Number.EPSILON = 2u leaves a factor 2 spare.
  const slack = (4 * d + 16) * Number.EPSILON;
  const search: Search = {
    x,
    n,
    d,
    k,
    sq,
    keep: 1 - slack,
    // Sentinel (Infinity, n) loses to every real candidate.
    bestDist: new Float64Array(n * k).fill(Number.POSITIVE_INFINITY),
    bestIdx: new Int32Array(n * k).fill(n),
    worst: new Float64Array(nPad).fill(Number.POSITIVE_INFINITY),
  };

  const block = Math.max(4, Math.floor(BLOCK_BYTES / (8 * d) / 4) * 4);
  for (let ib = 0; ib < nPad; ib += block) {
    const iEnd = Math.min(ib + block, nPad);
    for (let jb = ib; jb < nPad; jb += block) {
      scanBlocks(search, ib, iEnd, jb, Math.min(jb + block, nPad), ib === jb);
    }
  }
  return search.bestIdx;
}

/**
 * Dot products of rows [ib, iEnd) × [jb, jEnd), 4×2 at a time (enough accumulators to reuse
 * each load, few enough to stay in registers), screened against the rows' current k-th
 * distances. On a diagonal block every ordered pair comes up once, so only the first row of
 * the pair is offered the second; off the diagonal each unordered pair comes up once and each
 * row is offered the other.
 */
function scanBlocks(
  s: Search,
  ib: number,
  iEnd: number,
  jb: number,
  jEnd: number,
  diagonal: boolean,
): void {
  const { x, d, sq, worst } = s;
  for (let i = ib; i < iEnd; i += 4) {
    const a0 = i * d;
    const a1 = a0 + d;
    const a2 = a1 + d;
    const a3 = a2 + d;
    for (let j = jb; j < jEnd; j += 2) {
      const b0 = j * d;
      const b1 = b0 + d;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s30 = 0;
      let s31 = 0;
      for (let t = 0; t < d; t++) {
        const y0 = x[b0 + t] as number;
        const y1 = x[b1 + t] as number;
        const x0 = x[a0 + t] as number;
        const x1 = x[a1 + t] as number;
        const x2 = x[a2 + t] as number;
        const x3 = x[a3 + t] as number;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s30 += x3 * y0;
        s31 += x3 * y1;
      }
      // Lower bounds on the exact squared distances (+Infinity for padding rows). Read from
      // memory here rather than hoisted: values live across the loop above cost it registers.
      const hi0 = sq[i] as number;
      const hi1 = sq[i + 1] as number;
      const hi2 = sq[i + 2] as number;
      const hi3 = sq[i + 3] as number;
      const hj0 = sq[j] as number;
      const hj1 = sq[j + 1] as number;
      const keep = s.keep;
      const l00 = (hi0 + hj0) * keep - 2 * s00;
      const l01 = (hi0 + hj1) * keep - 2 * s01;
      const l10 = (hi1 + hj0) * keep - 2 * s10;
      const l11 = (hi1 + hj1) * keep - 2 * s11;
      const l20 = (hi2 + hj0) * keep - 2 * s20;
      const l21 = (hi2 + hj1) * keep - 2 * s21;
      const l30 = (hi3 + hj0) * keep - 2 * s30;
      const l31 = (hi3 + hj1) * keep - 2 * s31;
      // Almost every tile is too far for all 8 pairs; reject it with one test per direction.
      const lowest = Math.min(l00, l01, l10, l11, l20, l21, l30, l31);
      if (lowest > worstOfPanel(worst, i)) {
        if (diagonal) continue;
        if (lowest > Math.max(worst[j] as number, worst[j + 1] as number)) continue;
      }
      screen(s, i, j, l00, diagonal);
      screen(s, i, j + 1, l01, diagonal);
      screen(s, i + 1, j, l10, diagonal);
      screen(s, i + 1, j + 1, l11, diagonal);
      screen(s, i + 2, j, l20, diagonal);
      screen(s, i + 2, j + 1, l21, diagonal);
      screen(s, i + 3, j, l30, diagonal);
      screen(s, i + 3, j + 1, l31, diagonal);
    }
  }
}

function worstOfPanel(worst: Float64Array, i: number): number {
  return Math.max(
    worst[i] as number,
    worst[i + 1] as number,
    worst[i + 2] as number,
    worst[i + 3] as number,
  );
}

/** Offer j to i (and i to j off the diagonal) where `low` says j might beat i's k-th. */
function screen(s: Search, i: number, j: number, low: number, diagonal: boolean): void {
  if (low <= (s.worst[i] as number)) offer(s, i, j);
  if (!diagonal && low <= (s.worst[j] as number)) offer(s, j, i);
}

/** Measure ‖x_q − x_j‖² exactly and insert j among q's neighbours if it beats the k-th. */
function offer(s: Search, q: number, j: number): void {
  const { x, n, d, k, bestDist, bestIdx } = s;
  if (q >= n || j >= n) return; // padding
  let dist = 0;
  for (let a = q * d, b = j * d, end = a + d; a < end; a++, b++) {
    const diff = (x[a] as number) - (x[b] as number);
    dist += diff * diff;
  }
  const base = q * k;
  let p = base + k - 1;
  const lastDist = bestDist[p] as number;
  if (dist > lastDist || (dist === lastDist && j > (bestIdx[p] as number))) return;
  // Shift worse entries up one place, keeping (distance, index) order.
  while (p > base) {
    const prevDist = bestDist[p - 1] as number;
    if (prevDist < dist || (prevDist === dist && (bestIdx[p - 1] as number) < j)) break;
    bestDist[p] = prevDist;
    bestIdx[p] = bestIdx[p - 1] as number;
    p--;
  }
  bestDist[p] = dist;
  bestIdx[p] = j;
  s.worst[q] = bestDist[base + k - 1] as number;
}
