import {
  checkClassLabels,
  checkNonEmpty,
  checkNumClasses,
  checkSameLength,
  type Labels,
  type Sensitive,
} from '../input/validate.ts';
import {
  type IntersectionGroup,
  type IntersectionIndex,
  intersectionIndex,
  isIntersectionIndex,
} from './intersection-index.ts';

/**
 * One run's counts per (class, group): every one-vs-rest group rate for every class, and the
 * class × group accuracy, are ratios of these. Per-(class, group) arrays are class-major:
 * entry c·G + g is class c in group g, G = groups.length.
 */
export interface ClassGroupCounts {
  readonly numClasses: number;
  readonly attributes: readonly string[];
  readonly groups: readonly IntersectionGroup[];
  /** Rows per group (G); 0 for an empty intersection. */
  readonly counts: Float64Array;
  /** Rows per group with yPred = yTrue (G): top-1 accuracy's numerator. */
  readonly correct: Float64Array;
  /** Rows with yTrue = c, per (class, group). */
  readonly positives: Float64Array;
  /** Rows with yPred = c, per (class, group). */
  readonly predicted: Float64Array;
  /** Rows with yTrue = yPred = c, per (class, group). */
  readonly truePositives: Float64Array;
}

/**
 * Counts one run's predictions per (class, group) in one pass over the rows, so that the rates
 * of every class k as positive label (one-vs-rest) and the accuracy of every (class, group)
 * cost O(classes × groups) afterwards instead of a pass per class. `sensitive` is an
 * IntersectionIndex (to reuse one factorisation across runs) or the attributes by name (all of
 * them, jointly). Labels must be class indices in [0, numClasses); MetricsInputError names
 * `yTrue`, `yPred`, `numClasses` or `sensitive` and the first bad index.
 */
export function classGroupCounts(
  yTrue: Labels,
  yPred: Labels,
  sensitive: IntersectionIndex | Readonly<Record<string, Sensitive>>,
  numClasses: number,
): ClassGroupCounts {
  checkNumClasses(numClasses);
  checkSameLength('yTrue', yTrue, 'yPred', yPred);
  checkNonEmpty('yTrue', yTrue);
  checkClassLabels('yTrue', yTrue, numClasses);
  checkClassLabels('yPred', yPred, numClasses);
  const index = isIntersectionIndex(sensitive) ? sensitive : intersectionIndex(sensitive);
  checkSameLength('yTrue', yTrue, 'sensitive', index.codes);
  const { codes } = index;
  const numGroups = index.groups.length;
  const counts = new Float64Array(numGroups);
  const correct = new Float64Array(numGroups);
  const positives = new Float64Array(numClasses * numGroups);
  const predicted = new Float64Array(numClasses * numGroups);
  const truePositives = new Float64Array(numClasses * numGroups);
  for (let i = 0; i < yTrue.length; i++) {
    const g = codes[i] as number;
    const t = (yTrue[i] as number) * numGroups + g;
    const p = (yPred[i] as number) * numGroups + g;
    counts[g] = (counts[g] as number) + 1;
    positives[t] = (positives[t] as number) + 1;
    predicted[p] = (predicted[p] as number) + 1;
    if (t === p) {
      truePositives[t] = (truePositives[t] as number) + 1;
      correct[g] = (correct[g] as number) + 1;
    }
  }
  return {
    numClasses,
    attributes: index.attributes,
    groups: index.groups,
    counts,
    correct,
    positives,
    predicted,
    truePositives,
  };
}
