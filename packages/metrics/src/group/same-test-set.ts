import { MetricsInputError } from '../input/metrics-input-error.ts';
import type { ClassGroupCounts } from './class-group-counts.ts';

/**
 * Runs of one study share the test set, so classes, groups, rows per group and true labels per
 * (class, group) are the same in each; a difference means runs of two test sets were mixed.
 */
export function checkSameTestSet(
  first: ClassGroupCounts,
  run: ClassGroupCounts,
  argument: string,
): void {
  const why =
    run.numClasses !== first.numClasses
      ? `has ${run.numClasses} classes, the first run ${first.numClasses}`
      : run.attributes.join(' × ') !== first.attributes.join(' × ')
        ? `is grouped by ${run.attributes.join(' × ')}, the first run by ${first.attributes.join(' × ')}`
        : !sameValues(run.counts, first.counts) || !sameValues(run.positives, first.positives)
          ? 'has other rows per (class, group) than the first run: every run must be scored on the same test set'
          : undefined;
  if (why !== undefined) throw new MetricsInputError(argument, why);
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
