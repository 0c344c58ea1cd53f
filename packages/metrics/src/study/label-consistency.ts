/**
 * kNN consistency of class labels from precomputed neighbour lists:
 * 1 − (1/n) Σ_i TV(e_{ŷ_i}, h_i), where h_i is the distribution of ŷ over the k neighbours of
 * x_i (x_i included, as AIF360) and TV the total-variation distance ½‖e − h‖₁ = 1 − h_i(ŷ_i).
 *
 * For binary labels 0/1 this equals AIF360's 1 − (1/n) Σ_i |ŷ_i − mean_{j∈kNN(i)} ŷ_j|
 * (Zemel et al. 2013) exactly; for more classes it needs no ordering of the codes. The neighbour
 * lists depend only on the features, so a study computes them once and scores every run here in
 * O(n·k).
 */
export function labelConsistency(
  neighbours: Int32Array,
  k: number,
  yPred: ArrayLike<number>,
): number {
  const n = yPred.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = yPred[i] as number;
    let same = 0;
    for (let c = i * k, end = c + k; c < end; c++) {
      if (yPred[neighbours[c] as number] === own) same++;
    }
    total += 1 - same / k;
  }
  return 1 - total / n;
}
