import { describe, expect, it } from 'vitest';
import { stratifiedSample } from './stratified-sample.ts';

const counts = (labels: Int32Array, rows: Int32Array) => {
  const n = [0, 0, 0];
  for (const r of rows) n[labels[r] ?? 0] = (n[labels[r] ?? 0] ?? 0) + 1;
  return n;
};

describe('stratifiedSample', () => {
  // 5 / 3 / 2 examples, 4 wanted: quotas 0.4 × size = 2, 1.2, 0.8 → floors 2, 1, 0 (3 in all);
  // the one left goes to the largest remainder, class 2 (0.8).
  const labels = Int32Array.from([0, 1, 0, 2, 0, 1, 2, 0, 1, 0]);

  it('keeps each class its share, by largest remainder', () => {
    const { chosen, rest } = stratifiedSample(labels, 4);
    expect(chosen).toHaveLength(4);
    expect(counts(labels, chosen)).toEqual([2, 1, 1]);
    expect(counts(labels, rest)).toEqual([3, 2, 1]);
  });

  it('returns ascending, disjoint positions that cover the split, the same every time', () => {
    const a = stratifiedSample(labels, 4);
    const all = [...a.chosen, ...a.rest].sort((x, y) => x - y);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...a.chosen]).toEqual([...a.chosen].sort((x, y) => x - y));
    expect(stratifiedSample(labels, 4)).toEqual(a);
  });

  it('takes everything when n is not below the count', () => {
    expect([...stratifiedSample(labels, 10).chosen]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
