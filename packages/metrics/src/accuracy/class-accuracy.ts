import {
  checkClassLabels,
  checkNumClasses,
  checkSameLength,
  type Labels,
} from '../input/validate.ts';

/**
 * Share of examples whose predicted label equals the true label (top-1 accuracy); NaN when
 * there are no examples.
 */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  checkSameLength('yTrue', yTrue, 'yPred', yPred);
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return yTrue.length === 0 ? Number.NaN : correct / yTrue.length;
}

/**
 * Accuracy within each true class c: |{i : y_i = c, ŷ_i = c}| / |{i : y_i = c}| (per-class
 * recall). NaN for a class with no examples, so "no data" is never mistaken for "always wrong".
 */
export function classAccuracy(yTrue: Labels, yPred: Labels, numClasses: number): Float64Array {
  checkNumClasses(numClasses);
  checkSameLength('yTrue', yTrue, 'yPred', yPred);
  checkClassLabels('yTrue', yTrue, numClasses);
  checkClassLabels('yPred', yPred, numClasses);
  const correct = new Float64Array(numClasses);
  const total = new Float64Array(numClasses);
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] as number;
    total[t] = (total[t] as number) + 1;
    if (t === yPred[i]) correct[t] = (correct[t] as number) + 1;
  }
  const out = new Float64Array(numClasses);
  for (let c = 0; c < numClasses; c++) {
    const n = total[c] as number;
    out[c] = n === 0 ? Number.NaN : (correct[c] as number) / n;
  }
  return out;
}
