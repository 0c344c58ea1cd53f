/**
 * Class-stratified samples of a split, for the spec's `subset` caps and `validationSplit`. Every
 * unit of a study must see the same examples, so the draw depends only on the labels and a fixed
 * seed, never on the unit's seed.
 */
import { createRandom } from '@kdlens/metrics';

/** The seed every study samples with; changing it changes every stored study's data. */
export const SAMPLE_SEED = 0;

/**
 * Splits positions 0..count−1 into `chosen` (n of them, each class keeping its share: floor of
 * its quota, the leftover to the largest remainders) and `rest`. Both ascending, so examples keep
 * the publisher's order.
 */
export function stratifiedSample(
  labels: Int32Array,
  n: number,
  seed = SAMPLE_SEED,
): { chosen: Int32Array; rest: Int32Array } {
  const count = labels.length;
  if (n >= count)
    return { chosen: Int32Array.from({ length: count }, (_, i) => i), rest: new Int32Array(0) };
  const random = createRandom(seed);
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const label = labels[i] ?? 0;
    const members = byLabel.get(label);
    if (members === undefined) byLabel.set(label, [i]);
    else members.push(i);
  }
  // Sorted by label, so the draw does not depend on which class happens to come first.
  const groups = [...byLabel.entries()].sort(([a], [b]) => a - b).map(([, m]) => m);
  for (const members of groups) {
    for (let i = members.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      const item = members[i] ?? 0;
      members[i] = members[j] ?? 0;
      members[j] = item;
    }
  }
  const fraction = n / count;
  const quotas = groups.map((m) => Math.floor(fraction * m.length));
  const order = groups
    .map((m, g) => ({ g, remainder: fraction * m.length - (quotas[g] ?? 0), tie: random.next() }))
    .sort((a, b) => b.remainder - a.remainder || a.tie - b.tie);
  let leftover = n - quotas.reduce((s, q) => s + q, 0);
  for (const { g } of order) {
    if (leftover <= 0) break;
    if ((quotas[g] ?? 0) < (groups[g]?.length ?? 0)) {
      quotas[g] = (quotas[g] ?? 0) + 1;
      leftover--;
    }
  }
  const inChosen = new Uint8Array(count);
  groups.forEach((members, g) => {
    for (let k = 0; k < (quotas[g] ?? 0); k++) inChosen[members[k] ?? 0] = 1;
  });
  const chosen: number[] = [];
  const rest: number[] = [];
  for (let i = 0; i < count; i++) (inChosen[i] ? chosen : rest).push(i);
  return { chosen: Int32Array.from(chosen), rest: Int32Array.from(rest) };
}
