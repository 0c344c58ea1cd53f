import { createRandom } from '@kdlens/metrics';

/**
 * A run's test-set output for benches: about `accuracy` of the predictions right, the top `k`
 * probabilities stored with the prediction first (geometric masses, seeded). The warehouse bench
 * and the test workspace's export bench write the same shape of study through it.
 */
export function syntheticTopKRun(
  labels: Int32Array,
  opts: { accuracy: number; seed: number; numClasses: number; k: number },
) {
  const { k, numClasses } = opts;
  const n = labels.length;
  const rnd = createRandom(opts.seed);
  const predicted = new Int32Array(n);
  const ids = new Int32Array(n * k);
  const values = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const p = rnd.next() < opts.accuracy ? (labels[i] as number) : rnd.int(numClasses);
    predicted[i] = p;
    let mass = 0.5 + 0.4 * rnd.next();
    for (let j = 0; j < k; j++) {
      ids[i * k + j] = j === 0 ? p : (p + j) % numClasses;
      values[i * k + j] = mass;
      mass *= 0.3;
    }
  }
  return { predicted, probabilities: { kind: 'top-k' as const, k, ids, values } };
}
