import type { ClassGroupCounts } from '../group/class-group-counts.ts';
import type { IntersectionGroup } from '../group/intersection-index.ts';
import { checkSameTestSet } from '../group/same-test-set.ts';
import { MetricsInputError } from '../input/metrics-input-error.ts';

/** One arm's class × group accuracy over its seeds, class-major: entry c·G + g. */
export interface ArmClassGroupAccuracy {
  numClasses: number;
  attributes: readonly string[];
  groups: readonly IntersectionGroup[];
  seeds: number;
  /** Test examples of class c in group g (the same in every run). */
  examples: Float64Array;
  /** Mean over seeds of the cell's accuracy; NaN for an empty cell. */
  mean: Float64Array;
  /** Sample sd over seeds (ddof 1); NaN with one seed or for an empty cell. */
  sd: Float64Array;
}

/**
 * The class × group matrix of an arm: per (class c, group g) the mean and sample sd over seeds
 * of TP_cg / N_cg (classGroupAccuracy of each run), two-pass as sampleVariance. `runs` holds
 * each seed's counts on the same test set (MetricsInputError naming `runs[i]` otherwise).
 */
export function armClassGroupAccuracy(runs: readonly ClassGroupCounts[]): ArmClassGroupAccuracy {
  const first = runs[0];
  if (first === undefined) throw new MetricsInputError('runs', 'is empty');
  runs.forEach((run, r) => {
    checkSameTestSet(first, run, `runs[${r}]`);
  });
  const { positives } = first;
  const cells = positives.length;
  const seeds = runs.length;
  const mean = new Float64Array(cells);
  const sd = new Float64Array(cells);
  for (let i = 0; i < cells; i++) {
    const n = positives[i] as number;
    if (n === 0 || seeds < 2) sd[i] = Number.NaN;
    if (n === 0) {
      mean[i] = Number.NaN;
      continue;
    }
    let sum = 0;
    for (const run of runs) sum += (run.truePositives[i] as number) / n;
    const m = sum / seeds;
    mean[i] = m;
    if (seeds < 2) continue;
    let squares = 0;
    for (const run of runs) {
      const d = (run.truePositives[i] as number) / n - m;
      squares += d * d;
    }
    sd[i] = Math.sqrt(squares / (seeds - 1));
  }
  return {
    numClasses: first.numClasses,
    attributes: first.attributes,
    groups: first.groups,
    seeds,
    examples: Float64Array.from(positives),
    mean,
    sd,
  };
}
