import {
  checkClassLabels,
  checkNumClasses,
  checkSameLength,
  type Labels,
} from '../input/validate.ts';

/**
 * Per-class disagreement of two models (Mohammadshahi & Ioannou 2025): for each true class c,
 * |{i : yᵢ = c, ŷᴬᵢ ≠ ŷᴮᵢ}| / |{i : yᵢ = c}|, the share of class-c test examples on which the two
 * predicted labels differ (whether or not either is right). NaN for a class with no examples.
 * Lengths and labels are validated, naming `yPredA`, `yPredB` or `yTrue` and the first bad index.
 */
export function disagreement(
  yPredA: Labels,
  yPredB: Labels,
  yTrue: Labels,
  numClasses: number,
): Float64Array {
  checkNumClasses(numClasses);
  checkSameLength('yTrue', yTrue, 'yPredA', yPredA);
  checkSameLength('yTrue', yTrue, 'yPredB', yPredB);
  checkClassLabels('yTrue', yTrue, numClasses);
  checkClassLabels('yPredA', yPredA, numClasses);
  checkClassLabels('yPredB', yPredB, numClasses);
  const differ = new Float64Array(numClasses);
  const total = new Float64Array(numClasses);
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] as number;
    total[t] = (total[t] as number) + 1;
    if (yPredA[i] !== yPredB[i]) differ[t] = (differ[t] as number) + 1;
  }
  const out = new Float64Array(numClasses);
  for (let c = 0; c < numClasses; c++) {
    const n = total[c] as number;
    out[c] = n === 0 ? Number.NaN : (differ[c] as number) / n;
  }
  return out;
}
