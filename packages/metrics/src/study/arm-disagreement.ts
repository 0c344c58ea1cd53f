import { disagreement } from '../class-bias/disagreement.ts';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { checkClassLabels, checkNumClasses, type Labels } from '../input/validate.ts';
import { estimateOverSeeds } from './estimate-over-seeds.ts';
import type { Estimate, StudyOptions } from './study-types.ts';

/** Two arms' predicted labels for one seed, on the same test examples in the same order. */
export interface DisagreementPair {
  a: Labels;
  b: Labels;
}

export interface ArmDisagreement {
  /** Share of all test examples where a and b predict differently, one value per pair. */
  overall: Estimate;
  /** Per true class c: `disagreement` per pair, over pairs; NaN for a class without examples. */
  perClass: Estimate[];
  /** Test examples per true class. */
  examples: Float64Array;
}

/**
 * Disagreement of two arms over seeds (Mohammadshahi & Ioannou 2025): for each seed's pair of runs,
 * overall = |{i : ŷᴬᵢ ≠ ŷᴮᵢ}| / n and per class c = |{i : yᵢ = c, ŷᴬᵢ ≠ ŷᴮᵢ}| / |{i : yᵢ = c}|
 * (`disagreement`); each then as the study reports a per-seed quantity (`estimateOverSeeds`:
 * mean, sd with ddof 1, percentile bootstrap CI of the mean over seeds).
 */
export function armDisagreement(
  pairs: readonly DisagreementPair[],
  yTrue: Labels,
  numClasses: number,
  bootstrap: StudyOptions['bootstrap'] = {},
): ArmDisagreement {
  checkNumClasses(numClasses);
  if (pairs.length === 0) throw new MetricsInputError('pairs', 'must hold at least one pair');
  checkClassLabels('yTrue', yTrue, numClasses);
  const examples = new Float64Array(numClasses);
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] as number;
    examples[t] = (examples[t] as number) + 1;
  }
  const overall: number[] = [];
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  pairs.forEach((pair, p) => {
    let perClass: Float64Array;
    try {
      perClass = disagreement(pair.a, pair.b, yTrue, numClasses);
    } catch (error) {
      if (error instanceof MetricsInputError) {
        throw new MetricsInputError(`pairs[${p}]`, error.message);
      }
      throw error;
    }
    let differ = 0;
    for (let i = 0; i < yTrue.length; i++) if (pair.a[i] !== pair.b[i]) differ++;
    for (let c = 0; c < numClasses; c++) (byClass[c] as number[]).push(perClass[c] as number);
    overall.push(yTrue.length === 0 ? Number.NaN : differ / yTrue.length);
  });
  return {
    overall: estimateOverSeeds(overall, bootstrap),
    perClass: byClass.map((values) => estimateOverSeeds(values, bootstrap)),
    examples,
  };
}

/**
 * Only the `overall` of `armDisagreement`, for callers that show no class: one pass over the test
 * examples per pair and one bootstrap (armDisagreement bootstraps every class as well, which at
 * 1,000 classes costs about a thousand times more). Same values, same `estimateOverSeeds`, so
 * with the same bootstrap options it equals `armDisagreement(...).overall`.
 */
export function armDisagreementOverall(
  pairs: readonly DisagreementPair[],
  n: number,
  bootstrap: StudyOptions['bootstrap'] = {},
): Estimate {
  if (!Number.isInteger(n) || n < 0) {
    throw new MetricsInputError('n', `must be a non-negative integer, got ${n}`);
  }
  if (pairs.length === 0) throw new MetricsInputError('pairs', 'must hold at least one pair');
  const overall = pairs.map((pair, p) => {
    for (const [name, labels] of [
      ['a', pair.a],
      ['b', pair.b],
    ] as const) {
      if (labels.length !== n) {
        throw new MetricsInputError(
          `pairs[${p}]`,
          `${name}: has ${labels.length} elements but there are ${n} test examples`,
        );
      }
    }
    let differ = 0;
    for (let i = 0; i < n; i++) if (pair.a[i] !== pair.b[i]) differ++;
    return n === 0 ? Number.NaN : differ / n;
  });
  return estimateOverSeeds(overall, bootstrap);
}
