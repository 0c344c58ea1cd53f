import { adjustPValues } from '../stats/p-adjust.ts';
import type { SignificanceCounts } from '../study/study-types.ts';
import { compareClassMatrices } from './compare-classes.ts';

/** An arm's per-class statistic matrix (`classStatisticMatrix`: seeds × classes) and its seed count. */
export interface ArmStatistics {
  matrix: Float64Array;
  seeds: number;
}

/**
 * How many classes change significantly between arms A and B (the paper's SC when A is the
 * non-distilled student, TC when A is the teacher): one Welch test per class, counted raw and
 * after Holm and Benjamini–Hochberg over the same p-values. Null when an arm has fewer than two
 * seeds (no variance to test with).
 */
export function significanceCounts(
  a: ArmStatistics,
  b: ArmStatistics,
  numClasses: number,
  alpha: number,
): SignificanceCounts | null {
  if (a.seeds < 2 || b.seeds < 2) return null;
  const result = compareClassMatrices(a.matrix, a.seeds, b.matrix, b.seeds, numClasses, {
    alpha,
    correction: 'none',
  });
  const p = Float64Array.from(result.perClass, (row) => row.pValue);
  return {
    raw: result.significantCount,
    holm: countAtMost(adjustPValues(p, 'holm'), alpha),
    bh: countAtMost(adjustPValues(p, 'bh'), alpha),
    tested: result.testedCount,
  };
}

function countAtMost(p: Float64Array, alpha: number): number {
  let n = 0;
  for (const v of p) if (v <= alpha) n++;
  return n;
}
