import { checkFinite, checkNonEmpty } from '../input/validate.ts';
import { checkFeatureMatrix } from './feature-matrix.ts';
import { checkNeighbourCount, nearestNeighbors } from './nearest-neighbors.ts';

export interface ConsistencyOptions {
  /** Neighbours per example, the example itself included (AIF360's `n_neighbors`). Default 5. */
  k?: number;
}

/**
 * kNN consistency: 1 − (1/n) Σ_i |ŷ_i − (1/k) Σ_{j ∈ kNN(i)} ŷ_j| (Zemel et al. 2013, "Learning
 * Fair Representations"; AIF360 `consistency_score` / `BinaryLabelDatasetMetric.consistency`).
 * Higher is fairer: similar inputs get similar predictions.
 *
 * kNN(i) follows AIF360, which calls scikit-learn's `NearestNeighbors(n_neighbors=k).fit(X)
 * .kneighbors(X)`: Euclidean distance over the rows of `features` (n×d, row-major), and x_i
 * is one of its own k neighbours (distance 0; only k or more identical rows of lower index can
 * push it out). Exact ties at the k-th distance go to the lower row index (see
 * `nearestNeighbors`); scikit-learn's choice there depends on its heap layout.
 *
 * `yPred` may be any finite numbers. For binary labels (AIF360's case) or scores in [0, 1] the
 * result lies in [0, 1]. Multi-class codes go through the same formula, where |ŷ_i − mean| is
 * in code units: it treats codes as ordered and can fall below 0. For a reading that does not
 * depend on the coding, score each class's indicator (ŷ_i = c) separately.
 */
export function consistencyScore(
  features: ArrayLike<number>,
  d: number,
  yPred: ArrayLike<number>,
  { k = 5 }: ConsistencyOptions = {},
): number {
  const n = yPred.length;
  checkFinite('yPred', yPred);
  checkFeatureMatrix(features, d, n, 'yPred');
  checkNonEmpty('yPred', yPred);
  checkNeighbourCount(k, n);

  const neighbours = nearestNeighbors(features, d, k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = yPred[i] as number;
    // |ŷ_i − mean_j ŷ_j| as |Σ_j (ŷ_j − ŷ_i)| / k: exactly 0 when the neighbours agree with ŷ_i,
    // so constant predictions score exactly 1 whatever the value.
    let sum = 0;
    for (let c = i * k, end = c + k; c < end; c++) {
      sum += (yPred[neighbours[c] as number] as number) - own;
    }
    total += Math.abs(sum) / k;
  }
  return 1 - total / n;
}
