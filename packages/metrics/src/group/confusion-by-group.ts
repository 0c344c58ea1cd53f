import { MetricsInputError } from '../input/metrics-input-error.ts';
import {
  checkFinite,
  checkNonEmpty,
  checkSameLength,
  type Labels,
  type Sensitive,
} from '../input/validate.ts';
import { type GroupIndex, groupIndex, isGroupIndex, smallIntegerRange } from './group-index.ts';

/**
 * Per-group counts of a classifier binarised at `posLabel` (a row is positive when its label
 * equals `posLabel`, negative otherwise). Every group-fairness metric here is a function of
 * these counts, so each needs one counting pass over the rows.
 */
export interface GroupConfusion {
  /** Group values, ordered as groupIndex orders them. */
  readonly groups: (string | number)[];
  /** Rows per group. */
  readonly counts: Float64Array;
  /** Rows with yTrue = posLabel. */
  readonly positives: Float64Array;
  /** Rows with yPred = posLabel. */
  readonly predictedPositives: Float64Array;
  /** Rows with yTrue = yPred = posLabel. */
  readonly truePositives: Float64Array;
  /** Rows with yTrue = yPred on the raw labels (not binarised), for accuracy. */
  readonly correct: Float64Array;
}

/**
 * The checks every metric over (yTrue, yPred, posLabel) shares: same lengths, non-empty
 * (fairlearn raises on empty input too), finite labels and a finite posLabel.
 */
export function checkBinaryInputs(yTrue: Labels, yPred: Labels, posLabel: number): void {
  checkSameLength('yTrue', yTrue, 'yPred', yPred);
  checkNonEmpty('yTrue', yTrue);
  checkFinite('yTrue', yTrue);
  checkFinite('yPred', yPred);
  checkPosLabel(posLabel);
}

/**
 * Validates the inputs shared by the group metrics (as checkBinaryInputs, plus `sensitive`
 * lining up) and counts per group. `sensitive` may be a GroupIndex, to reuse one
 * factorisation across calls. A feature of small integers is counted straight from its
 * values through a lookup table, with no factorisation pass and no n-sized allocation.
 */
export function confusionByGroup(
  yTrue: Labels,
  yPred: Labels,
  sensitive: Sensitive | GroupIndex,
  posLabel: number,
): GroupConfusion {
  checkSameLength('yTrue', yTrue, 'yPred', yPred);
  checkSameLength(
    'yTrue',
    yTrue,
    'sensitive',
    isGroupIndex(sensitive) ? sensitive.codes : sensitive,
  );
  checkNonEmpty('yTrue', yTrue);
  checkPosLabel(posLabel);
  if (isGroupIndex(sensitive)) {
    const { groups } = sensitive;
    const cells = countCells(yTrue, yPred, sensitive.codes, 0, groups.length, posLabel);
    return foldCells(cells, groups.length, (slot) => groups[slot] as string | number);
  }
  const range = smallIntegerRange(sensitive);
  if (range !== undefined) {
    const keys = sensitive as ArrayLike<number>;
    const cells = countCells(yTrue, yPred, keys, range.min, range.span, posLabel);
    return foldCells(cells, range.span, (slot) => slot + range.min);
  }
  const index = groupIndex(sensitive);
  const { groups } = index;
  const cells = countCells(yTrue, yPred, index.codes, 0, groups.length, posLabel);
  return foldCells(cells, groups.length, (slot) => groups[slot] as string | number);
}

function checkPosLabel(posLabel: number): void {
  if (!Number.isFinite(posLabel)) {
    throw new MetricsInputError('posLabel', `${posLabel} is not a finite number`);
  }
}

// Each row lands in one of 8 cells of its group's slot: bit 4 yTrue = pos, bit 2
// yPred = pos, bit 1 yTrue = yPred. One increment per row is faster than five counters.
const TRUE_POS = 4;
const PRED_POS = 2;
const MATCH = 1;
const CELLS = 8;

/** Counts rows per (slot, cell), slot = keys[i] − offset; validates labels on the way. */
function countCells(
  yTrue: Labels,
  yPred: Labels,
  keys: ArrayLike<number>,
  offset: number,
  slots: number,
  posLabel: number,
): Float64Array {
  const cells = new Float64Array(slots * CELLS);
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] as number;
    const p = yPred[i] as number;
    // t − t is 0 for finite t and NaN for NaN or ±Infinity.
    if (t - t !== 0 || p - p !== 0) {
      checkFinite('yTrue', yTrue);
      checkFinite('yPred', yPred);
    }
    const cell =
      (((keys[i] as number) - offset) << 3) |
      (t === posLabel ? TRUE_POS : 0) |
      (p === posLabel ? PRED_POS : 0) |
      (t === p ? MATCH : 0);
    cells[cell] = (cells[cell] as number) + 1;
  }
  return cells;
}

/** Sums cells into per-group counts, dropping slots no row fell in. */
function foldCells(
  cells: Float64Array,
  slots: number,
  groupOf: (slot: number) => string | number,
): GroupConfusion {
  const groups: (string | number)[] = [];
  const rows: number[][] = [[], [], [], [], [], []];
  const [counts, positives, predicted, truePositives, correct] = rows as [
    number[],
    number[],
    number[],
    number[],
    number[],
  ];
  for (let s = 0; s < slots; s++) {
    let n = 0;
    let pos = 0;
    let pred = 0;
    let tp = 0;
    let hits = 0;
    for (let c = 0; c < CELLS; c++) {
      const k = cells[s * CELLS + c] as number;
      n += k;
      if (c & TRUE_POS) pos += k;
      if (c & PRED_POS) pred += k;
      if (c & TRUE_POS && c & PRED_POS) tp += k;
      if (c & MATCH) hits += k;
    }
    if (n === 0) continue;
    groups.push(groupOf(s));
    counts.push(n);
    positives.push(pos);
    predicted.push(pred);
    truePositives.push(tp);
    correct.push(hits);
  }
  return {
    groups,
    counts: Float64Array.from(counts),
    positives: Float64Array.from(positives),
    predictedPositives: Float64Array.from(predicted),
    truePositives: Float64Array.from(truePositives),
    correct: Float64Array.from(correct),
  };
}
