import { MetricsInputError } from '../input/metrics-input-error.ts';
import type { ClassGroupComparison } from './compare-class-groups.ts';

export interface WorstCellsOptions {
  /**
   * 'delta' (default) ranks by the change of the mean; 'upper' by the upper end of its interval,
   * so cells that surely lost (the whole interval far below 0) come first and a large but noisy
   * drop ranks lower.
   */
  by?: 'delta' | 'upper';
  /**
   * Leave out cells with fewer test examples than this (default 1: only empty cells). A cell's
   * accuracy over few examples moves in large steps, so a floor keeps the list from being all
   * tiny cells.
   */
  minExamples?: number;
  /** At most this many cells (default: all that qualify). */
  limit?: number;
}

/**
 * The (class, group) cells that lost most from arm A to arm B: indices c·G + g of
 * compareClassGroups' columns (class c = ⌊i / G⌋, group g = i mod G, G = groups.length), sorted
 * by `by` ascending (the largest drop first), ties by index. Cells whose value is NaN (empty,
 * or an interval undefined) are left out. O(cells log cells).
 */
export function worstCells(
  comparison: ClassGroupComparison,
  options: WorstCellsOptions = {},
): Int32Array {
  const { by = 'delta', minExamples = 1, limit = Number.POSITIVE_INFINITY } = options;
  if (by !== 'delta' && by !== 'upper') {
    throw new MetricsInputError('by', `must be 'delta' or 'upper', got '${by}'`);
  }
  if (!(minExamples >= 0)) {
    throw new MetricsInputError('minExamples', `must be a number ≥ 0, got ${minExamples}`);
  }
  if (!(limit >= 0) || (limit !== Number.POSITIVE_INFINITY && !Number.isInteger(limit))) {
    throw new MetricsInputError('limit', `must be an integer ≥ 0, got ${limit}`);
  }
  const key = by === 'delta' ? comparison.delta : comparison.upper;
  const { examples } = comparison;
  const kept: number[] = [];
  for (let i = 0; i < key.length; i++) {
    if (!Number.isNaN(key[i] as number) && (examples[i] as number) >= minExamples) kept.push(i);
  }
  // Array sort is stable, so equal keys stay in index order.
  kept.sort((a, b) => (key[a] as number) - (key[b] as number));
  return Int32Array.from(kept.length > limit ? kept.slice(0, limit) : kept);
}
