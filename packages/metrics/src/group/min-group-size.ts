import { MetricsInputError } from '../input/metrics-input-error.ts';
import type { IntersectionGroup } from './intersection-index.ts';

/**
 * Groups with fewer test rows than this are reported (flagged small, with their count) but left
 * out of every disparity. 30 is the usual smallest sample for treating a proportion as roughly
 * normal, and it bounds the noise one group can inject: a rate over n rows has a standard error
 * up to 0.5/√n, 0.091 at n = 30 but 0.16 at n = 10 and 0.22 at n = 5. A disparity is a max − min
 * (or max |·|) over groups, so it follows the noisiest group, and intersections shrink groups
 * fast (sex × age × race); without a floor the smallest intersection's sampling noise, not the
 * model, would set the number.
 */
export const DEFAULT_MIN_GROUP_SIZE = 30;

/** The minimum group size option shared by the intersectional functions. */
export interface MinGroupSizeOption {
  /**
   * Groups with fewer rows are flagged small and excluded from disparities (default
   * DEFAULT_MIN_GROUP_SIZE = 30). An integer ≥ 1; 1 keeps every non-empty group, which is
   * fairlearn's behaviour (empty intersections are always out: fairlearn's NaN rows).
   */
  minGroupSize?: number;
}

/** A group below the minimum size: which one, and how many test rows it has. */
export interface SmallGroup {
  group: IntersectionGroup;
  count: number;
}

/** The option, defaulted and checked (an integer ≥ 1; MetricsInputError otherwise). */
export function minGroupSizeOf(options: MinGroupSizeOption): number {
  const { minGroupSize = DEFAULT_MIN_GROUP_SIZE } = options;
  if (!Number.isInteger(minGroupSize) || minGroupSize < 1) {
    throw new MetricsInputError(
      'minGroupSize',
      `must be an integer ≥ 1 (1 keeps every non-empty group), got ${minGroupSize}`,
    );
  }
  return minGroupSize;
}

/** The groups with fewer than minGroupSize rows (empty intersections included), in group order. */
export function smallGroups(
  groups: readonly IntersectionGroup[],
  counts: Float64Array,
  minGroupSize: number,
): SmallGroup[] {
  const out: SmallGroup[] = [];
  groups.forEach((group, g) => {
    const count = counts[g] as number;
    if (count < minGroupSize) out.push({ group, count });
  });
  return out;
}
