import type { Labels } from '../input/validate.ts';
import { checkBinaryInputs, type GroupConfusion } from './confusion-by-group.ts';

/** The label counted as positive; every other label is negative (binarised at posLabel). */
export interface PosLabelOption {
  /** Default 1, as in fairlearn (whose rates require labels in {0, 1} or {-1, 1}). */
  posLabel?: number;
}

/**
 * fairlearn's `selection_rate`: P(ŷ = posLabel) = |{i : ŷ_i = posLabel}| / n.
 * yTrue is ignored, as in fairlearn, but must line up with yPred and be finite.
 * Throws MetricsInputError on empty input (fairlearn raises too).
 */
export function selectionRate(yTrue: Labels, yPred: Labels, options: PosLabelOption = {}): number {
  const { posLabel = 1 } = options;
  checkBinaryInputs(yTrue, yPred, posLabel);
  let selected = 0;
  for (let i = 0; i < yPred.length; i++) if (yPred[i] === posLabel) selected++;
  return selected / yPred.length;
}

/**
 * fairlearn's `true_positive_rate` (recall): TP / (TP + FN), positives being yTrue = posLabel.
 * With no positives it is 0, not NaN: fairlearn reads it from sklearn's
 * `confusion_matrix(normalize='true')`, which turns the 0/0 row into 0 (`nan_to_num`),
 * silently (sklearn's `recall_score` also gives 0, with a warning).
 */
export function truePositiveRate(
  yTrue: Labels,
  yPred: Labels,
  options: PosLabelOption = {},
): number {
  return conditionalSelectionRate(yTrue, yPred, options.posLabel ?? 1, true);
}

/**
 * fairlearn's `false_positive_rate` (fall-out): FP / (FP + TN), negatives being
 * yTrue ≠ posLabel. With no negatives it is 0, for the same reason as truePositiveRate.
 */
export function falsePositiveRate(
  yTrue: Labels,
  yPred: Labels,
  options: PosLabelOption = {},
): number {
  return conditionalSelectionRate(yTrue, yPred, options.posLabel ?? 1, false);
}

/**
 * P(ŷ = pos | y = pos) when `amongPositives` (TPR), else P(ŷ = pos | y ≠ pos) (FPR); 0/0 is 0,
 * as fairlearn reads it.
 */
function conditionalSelectionRate(
  yTrue: Labels,
  yPred: Labels,
  posLabel: number,
  amongPositives: boolean,
): number {
  checkBinaryInputs(yTrue, yPred, posLabel);
  let conditioned = 0;
  let selected = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if ((yTrue[i] === posLabel) === amongPositives) {
      conditioned++;
      if (yPred[i] === posLabel) selected++;
    }
  }
  return rateOrZero(selected, conditioned);
}

/** 0/0 → 0, as sklearn's `confusion_matrix(normalize='true')` does (fairlearn's TPR/FPR). */
export function rateOrZero(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** One value per group (in GroupIndex order) and one over all rows. */
export interface GroupedRate {
  readonly byGroup: Float64Array;
  readonly overall: number;
}

/** The rates fairlearn's MetricFrame would compute per group and overall. */
export interface GroupedRates {
  readonly selectionRate: GroupedRate;
  readonly truePositiveRate: GroupedRate;
  readonly falsePositiveRate: GroupedRate;
  readonly accuracy: GroupedRate;
}

/** Selection rate, TPR, FPR and accuracy per group and overall, from the group counts. */
export function ratesByGroup(confusion: GroupConfusion): GroupedRates {
  const { counts, positives, predictedPositives, truePositives, correct } = confusion;
  const k = counts.length;
  const sel = new Float64Array(k);
  const tpr = new Float64Array(k);
  const fpr = new Float64Array(k);
  const acc = new Float64Array(k);
  let n = 0;
  let pos = 0;
  let pred = 0;
  let tp = 0;
  let hits = 0;
  for (let g = 0; g < k; g++) {
    const ng = counts[g] as number;
    const pg = positives[g] as number;
    const predg = predictedPositives[g] as number;
    const tpg = truePositives[g] as number;
    sel[g] = predg / ng;
    tpr[g] = rateOrZero(tpg, pg);
    fpr[g] = rateOrZero(predg - tpg, ng - pg);
    acc[g] = (correct[g] as number) / ng;
    n += ng;
    pos += pg;
    pred += predg;
    tp += tpg;
    hits += correct[g] as number;
  }
  return {
    selectionRate: { byGroup: sel, overall: pred / n },
    truePositiveRate: { byGroup: tpr, overall: rateOrZero(tp, pos) },
    falsePositiveRate: { byGroup: fpr, overall: rateOrZero(pred - tp, n - pos) },
    accuracy: { byGroup: acc, overall: hits / n },
  };
}
