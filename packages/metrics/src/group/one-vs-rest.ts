import {
  checkClassLabels,
  checkNumClasses,
  checkSameLength,
  type Labels,
  type Sensitive,
} from '../input/validate.ts';
import { type GroupIndex, groupIndex, isGroupIndex } from './group-index.ts';

/**
 * A binary group-fairness metric as exported here (demographicParityDifference,
 * equalizedOddsDifference, ...). To change `method` or `agg`, wrap it:
 * `(t, p, s, o) => equalizedOddsDifference(t, p, s, { ...o, agg: 'mean' })`.
 */
export type BinaryGroupMetric = (
  yTrue: Labels,
  yPred: Labels,
  sensitive: Sensitive | GroupIndex,
  options: { posLabel: number },
) => number;

export interface OneVsRestResult {
  /** The metric with class c as the positive label, c = 0 .. numClasses − 1. */
  perClass: Float64Array;
  /** Mean over classes whose value is not NaN; NaN if every class is NaN. */
  mean: number;
  /** Max over classes whose value is not NaN; NaN if every class is NaN. */
  max: number;
}

/**
 * One-vs-rest over multi-class labels, as the paper averages DPD and EOD: for each class c,
 * metric(yTrue, yPred, sensitive, { posLabel: c }), then the mean and max over classes.
 *
 * Calling the metric with posLabel = c is the same as calling it on the binarised labels
 * (y = c) ↦ 1, (y ≠ c) ↦ 0 with posLabel 1, for every metric here: each depends on the rows
 * only through "label = posLabel" (selection rate, TPR, FPR), never through raw equality
 * (accuracy would not qualify, so groupMetrics is not a BinaryGroupMetric). So no per-class
 * copy of the labels is made, and the sensitive feature is factorised once.
 *
 * NaN classes (a ratio that is 0/0 for that class) are left out of mean and max. A class
 * that appears in neither yTrue nor yPred is not NaN: its rates are 0 in every group, so its
 * differences are 0 and count in the mean, as fairlearn would score that binarised problem.
 */
export function oneVsRest(
  metric: BinaryGroupMetric,
  yTrue: Labels,
  yPred: Labels,
  sensitive: Sensitive | GroupIndex,
  numClasses: number,
): OneVsRestResult {
  checkNumClasses(numClasses);
  checkSameLength('yTrue', yTrue, 'yPred', yPred);
  checkClassLabels('yTrue', yTrue, numClasses);
  checkClassLabels('yPred', yPred, numClasses);
  checkSameLength(
    'yTrue',
    yTrue,
    'sensitive',
    isGroupIndex(sensitive) ? sensitive.codes : sensitive,
  );
  const index = isGroupIndex(sensitive) ? sensitive : groupIndex(sensitive);
  const perClass = new Float64Array(numClasses);
  let sum = 0;
  let counted = 0;
  let max = Number.NaN;
  for (let c = 0; c < numClasses; c++) {
    const v = metric(yTrue, yPred, index, { posLabel: c });
    perClass[c] = v;
    if (!Number.isNaN(v)) {
      sum += v;
      counted++;
      if (!(v <= max)) max = v;
    }
  }
  return { perClass, mean: counted === 0 ? Number.NaN : sum / counted, max };
}
