import { MetricsInputError } from '../input/metrics-input-error.ts';
import { featureRows } from './feature-matrix.ts';
import { acquireKnnKernel, hasKnnKernel, type KnnKernel, releaseKnnKernel } from './knn-kernel.ts';

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
 *
 * Where the engine has WebAssembly SIMD, the screen runs there instead, about 4× faster, on a
 * centred float32 copy of the features in the kernel's memory (`prepareWasm`). Its bounds are
 * looser but just as safe, and the re-measure is the same, so the output is the same.
 */
export function nearestNeighbors(features: ArrayLike<number>, d: number, k: number): Int32Array {
  return search(features, d, k, hasKnnKernel());
}

/**
 * `nearestNeighbors` with the screen forced onto one kernel, so tests can hold the
 * WebAssembly and TypeScript kernels to the same output. Throws if 'wasm' is asked for where
 * the engine cannot run it (it still falls back, as `nearestNeighbors` does, when d is over
 * MAX_WASM_D or the memory cannot be had). Internal: not part of the package's public surface.
 */
export function nearestNeighborsWith(
  kernel: 'wasm' | 'typescript',
  features: ArrayLike<number>,
  d: number,
  k: number,
): Int32Array {
  if (kernel === 'wasm' && !hasKnnKernel()) {
    throw new Error('nearestNeighborsWith: this engine has no WebAssembly SIMD');
  }
  return search(features, d, k, kernel === 'wasm');
}

function search(features: ArrayLike<number>, d: number, k: number, useWasm: boolean): Int32Array {
  const n = featureRows(features, d);
  checkNeighbourCount(k, n);

  // Pad to whole 4-row panels so the kernels have no edge cases.
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

  // The WebAssembly screen keeps the k-th distances in its memory, where it reads them.
  const wasm = useWasm && d <= MAX_WASM_D ? prepareWasm(x, n, nPad, d) : undefined;
  try {
    // ‖x‖² + ‖y‖² − 2x·y differs from the computed Σ (x_t − y_t)² by at most about
    // (4d + 8)·u·(‖x‖² + ‖y‖²), u = 2⁻⁵³ (each length-d sum is off by at most γ_d times the
    // sum of its absolute terms; Higham 2002, §3.1). Number.EPSILON = 2u leaves a factor 2
    // spare.
    const slack = (4 * d + 16) * Number.EPSILON;
    const s: Search = {
      x,
      n,
      d,
      k,
      sq,
      keep: 1 - slack,
      // Sentinel (Infinity, n) loses to every real candidate.
      bestDist: new Float64Array(n * k).fill(Number.POSITIVE_INFINITY),
      bestIdx: new Int32Array(n * k).fill(n),
      worst: (wasm?.worst ?? new Float64Array(nPad)).fill(Number.POSITIVE_INFINITY),
    };
    const block = wasm?.block ?? Math.max(4, Math.floor(BLOCK_BYTES / (8 * d) / 4) * 4);
    for (let ib = 0; ib < nPad; ib += block) {
      const iEnd = Math.min(ib + block, nPad);
      for (let jb = ib; jb < nPad; jb += block) {
        const jEnd = Math.min(jb + block, nPad);
        if (wasm === undefined) scanBlocks(s, ib, iEnd, jb, jEnd, ib === jb);
        else scanBlocksWasm(s, wasm, ib, iEnd, jb, jEnd, ib === jb);
      }
    }
    return s.bestIdx;
  } finally {
    if (wasm !== undefined) releaseKnnKernel();
  }
}

// The float32 bounds below need (d + 16)·2⁻²³ well below 1; wider rows take the TypeScript path.
const MAX_WASM_D = 1 << 16;
// Bytes before the rows in the kernel's memory: the constants and addresses of knn-kernel.wat.
const HEADER_BYTES = 64;

/** The WebAssembly kernel set up for one search: its memory's k-th distances and output. */
interface WasmScreen {
  readonly kernel: KnnKernel;
  /** Candidate rows per block: float32 rows are half the bytes, so twice the TypeScript's. */
  readonly block: number;
  readonly worst: Float64Array;
  readonly outJ: Int32Array;
  readonly outL: Float64Array;
}

/**
 * Sets up the search's screen in WebAssembly SIMD (4 float32 lanes, twice the float64 ones,
 * which turned out 15–20% faster overall than an f64x2 kernel) on a copy a of the features,
 * centred and scaled:
 * a_r = fl32(2^e·fl64(x_r − μ)), μ the column means (distances do not move, but the norms the
 * screen's rounding is proportional to shrink to the data's spread), 2^e bringing max |a_rt|
 * into (1/2, 1] (float32's range; exact in float64; only data below 2⁻¹⁰⁰⁰ end up smaller). Per 4-row panel, one call screens a whole
 * candidate block against the rows' k-th distances as they stand at the call; the tiles it
 * lets through come back to `screen`, which re-tests each pair against the current k-th
 * distances and re-measures the survivors exactly, as the TypeScript kernel does. The k-th
 * distances only fall, so a stale one lets through at least what a current one would.
 *
 * Why the bound l = ((S·κ − 2ŝ − absS)·keep·2^−e)·2^−e − absF is safe (S = ‖ã‖² + ‖b̃‖², the
 * float32 rows' squared norms summed in float64; ŝ the float32 dot product; u = 2⁻²⁴,
 * U = 2⁻⁵³; η = 2⁻¹⁴⁹ covers underflow): each ã_t is within ρ|a_t| + η of the exact
 * a_t = 2^e(x_t − μ_t), ρ = u + 2U; ŝ is within γ_{d+4}(u)·(‖ã‖² + ‖b̃‖²)/2 + d·2⁻¹⁴⁹ of ã·b̃, so
 * ‖ã − b̃‖² ≥ S(1 − γ(u))(1 − dU) − 2ŝ − d·2⁻¹⁴⁷; and with v = a − b, ṽ = ã − b̃,
 * ‖v‖² ≥ (1 − τ)‖ṽ‖² − ‖ṽ − v‖²/τ for any τ > 0, taking τ = ρ/(1 − ρ) costs at most another
 * 6u·S. Altogether ‖v‖² ≥ S·(1 − (2d + 15)u) − 2ŝ − d·2⁻¹⁴⁶, and κ = 1 − (d + 16)·2⁻²³ keeps
 * ≥ 17u·S spare for the float64 rounding of the bound itself. Then ‖x − y‖² = 2^−2e·‖v‖², and
 * the computed Σ (x_t − y_t)² is at least (1 − (d + 4)U)‖x − y‖² − d·2⁻¹⁰⁷⁵; keep = 1 −
 * (d + 8)·2⁻⁵² and absF = (d + 2)·2⁻¹⁰⁷⁴ cover that and the rescaling's own rounding.
 *
 * Copies the rows into the kernel's memory and sets it up; undefined when the kernel cannot
 * have the memory. The caller releases the kernel.
 */
function prepareWasm(x: Float64Array, n: number, nPad: number, d: number): WasmScreen | undefined {
  // Rows of whole 16-byte vectors, zero padded: zeros leave the dot products unchanged.
  const stride = Math.ceil(d / 4) * 4;
  const rowBytes = 4 * stride;
  const block = Math.max(4, Math.floor(BLOCK_BYTES / rowBytes / 4) * 4);
  const sqPtr = HEADER_BYTES + nPad * rowBytes;
  const worstPtr = sqPtr + 8 * nPad;
  const outJ = worstPtr + 8 * nPad;
  // At most one output record per 4×2 tile of a panel against a block.
  const tiles = block / 2;
  const outL = outJ + Math.ceil(tiles / 4) * 16;
  const kernel = acquireKnnKernel(outL + 64 * tiles);
  if (kernel === undefined) return undefined;
  const { buffer } = kernel;
  const header = new DataView(buffer, 0, HEADER_BYTES);
  const a = new Float32Array(buffer, HEADER_BYTES, nPad * stride);
  const norms = new Float64Array(buffer, sqPtr, nPad);

  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let t = 0, r = i * d; t < d; t++) mean[t] = (mean[t] as number) + (x[r + t] as number);
  }
  for (let t = 0; t < d; t++) mean[t] = (mean[t] as number) / n;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    for (let t = 0, r = i * d; t < d; t++) {
      spread = Math.max(spread, Math.abs((x[r + t] as number) - (mean[t] as number)));
    }
  }
  const e = spread === 0 ? 0 : scaleExponent(spread);
  const up = 2 ** e;

  // The memory is reused across calls: clear padding left by an earlier search.
  a.fill(0);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let t = 0, r = i * d, o = i * stride; t < d; t++) {
      a[o + t] = up * ((x[r + t] as number) - (mean[t] as number));
      // Squares of float32 values are exact in float64.
      const v = a[o + t] as number;
      norm += v * v;
    }
    norms[i] = norm;
  }
  norms.fill(Number.POSITIVE_INFINITY, n);

  header.setFloat64(0, 1 - (d + 16) * 2 ** -23, true);
  header.setFloat64(8, d * 2 ** -146, true);
  header.setFloat64(16, 1 - (d + 8) * 2 ** -52, true);
  header.setFloat64(24, 2 ** -e, true);
  header.setFloat64(32, (d + 2) * Number.MIN_VALUE, true);
  header.setInt32(40, rowBytes, true);
  header.setInt32(44, sqPtr, true);
  header.setInt32(48, worstPtr, true);
  header.setInt32(52, outJ, true);
  header.setInt32(56, outL, true);

  return {
    kernel,
    block,
    worst: new Float64Array(buffer, worstPtr, nPad),
    outJ: new Int32Array(buffer, outJ, tiles),
    outL: new Float64Array(buffer, outL, 8 * tiles),
  };
}

/** e with 2^e·m in (1/2, 1], clamped so that 2^e and 2^−e are finite, normal doubles. */
function scaleExponent(m: number): number {
  let e = -Math.ceil(Math.log2(m));
  // Math.log2 may be off by an ulp near powers of two.
  while (m * 2 ** e > 1) e--;
  while (m * 2 ** (e + 1) <= 1) e++;
  return Math.min(e, 1000);
}

/**
 * `scanBlocks` through the WebAssembly kernel: per 4-row panel, one call over the candidate
 * block, then the per-pair test of the tiles it let through. A diagonal block is scanned as
 * a triangle: the panel against itself with the diagonal rule (each ordered pair once), then
 * against the rows after it with the off-diagonal one (each unordered pair once), which halves
 * the work of the block and comes to the same pairs as `scanBlocks`.
 */
function scanBlocksWasm(
  s: Search,
  w: WasmScreen,
  ib: number,
  iEnd: number,
  jb: number,
  jEnd: number,
  diagonal: boolean,
): void {
  for (let i = ib; i < iEnd; i += 4) {
    if (diagonal) {
      scanPanelWasm(s, w, i, i, i + 4, true);
      if (i + 4 < jEnd) scanPanelWasm(s, w, i, i + 4, jEnd, false);
    } else {
      scanPanelWasm(s, w, i, jb, jEnd, false);
    }
  }
}

function scanPanelWasm(
  s: Search,
  w: WasmScreen,
  i: number,
  jb: number,
  jEnd: number,
  diagonal: boolean,
): void {
  const { outJ, outL } = w;
  const count = w.kernel.scan(i, jb, jEnd, diagonal ? 1 : 0, worstOfPanel(s.worst, i));
  for (let c = 0; c < count; c++) {
    const j = outJ[c] as number;
    const l = 8 * c;
    screen(s, i, j, outL[l] as number, diagonal);
    screen(s, i, j + 1, outL[l + 1] as number, diagonal);
    screen(s, i + 1, j, outL[l + 2] as number, diagonal);
    screen(s, i + 1, j + 1, outL[l + 3] as number, diagonal);
    screen(s, i + 2, j, outL[l + 4] as number, diagonal);
    screen(s, i + 2, j + 1, outL[l + 5] as number, diagonal);
    screen(s, i + 3, j, outL[l + 6] as number, diagonal);
    screen(s, i + 3, j + 1, outL[l + 7] as number, diagonal);
  }
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
