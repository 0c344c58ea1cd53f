import {
  checkClassLabels,
  checkNonEmpty,
  checkSameLength,
  type Labels,
} from '../input/validate.ts';

/** One trained model's predictions on a test set (one run = one seed). */
export interface Run {
  yTrue: Labels;
  yPred: Labels;
}

export interface RunAccuracy {
  /** Accuracy within each true class; NaN for a class absent from yTrue. */
  perClass: Float64Array;
  /** Overall top-1 accuracy. */
  overall: number;
}

/**
 * Per-class accuracy |{i : yᵢ = c, ŷᵢ = c}| / |{i : yᵢ = c}| and overall accuracy of one run, in
 * a single counting pass. Validation errors name the run, e.g. `armA[2].yPred`, via `name`.
 */
export function runAccuracy(run: Run, numClasses: number, name: string): RunAccuracy {
  const { yTrue, yPred } = run;
  checkNonEmpty(`${name}.yTrue`, yTrue);
  checkSameLength(`${name}.yTrue`, yTrue, `${name}.yPred`, yPred);
  checkClassLabels(`${name}.yTrue`, yTrue, numClasses);
  checkClassLabels(`${name}.yPred`, yPred, numClasses);
  const correct = new Float64Array(numClasses);
  const total = new Float64Array(numClasses);
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] as number;
    total[t] = (total[t] as number) + 1;
    if (t === yPred[i]) {
      correct[t] = (correct[t] as number) + 1;
      hits++;
    }
  }
  const perClass = new Float64Array(numClasses);
  for (let c = 0; c < numClasses; c++) {
    const n = total[c] as number;
    perClass[c] = n === 0 ? Number.NaN : (correct[c] as number) / n;
  }
  return { perClass, overall: hits / yTrue.length };
}
