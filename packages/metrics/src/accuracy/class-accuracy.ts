/** Checks that two label arrays line up and that every label is a class index. */
function checkLabels(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): void {
  if (yTrue.length !== yPred.length) {
    throw new RangeError(`yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`numClasses must be a positive integer, got ${numClasses}`);
  }
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] as number;
    const p = yPred[i] as number;
    if (!Number.isInteger(t) || t < 0 || t >= numClasses) {
      throw new RangeError(`yTrue[${i}] = ${t} is not a class index in [0, ${numClasses})`);
    }
    if (!Number.isInteger(p) || p < 0 || p >= numClasses) {
      throw new RangeError(`yPred[${i}] = ${p} is not a class index in [0, ${numClasses})`);
    }
  }
}

/** Share of examples whose predicted label equals the true label; NaN for no examples. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length !== yPred.length) {
    throw new RangeError(`yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  }
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return yTrue.length === 0 ? Number.NaN : correct / yTrue.length;
}

/**
 * Accuracy within each true class c: |{i : y_i = c, ŷ_i = c}| / |{i : y_i = c}|.
 * NaN for a class with no examples, so "no data" is never mistaken for "always wrong".
 */
export function classAccuracy(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  numClasses: number,
): Float64Array {
  checkLabels(yTrue, yPred, numClasses);
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
