import { describe, expect, it } from 'vitest';
import { adjustPValues } from '../stats/p-adjust.ts';
import { classStatisticMatrix, compareClasses } from './compare-classes.ts';
import { runAccuracy } from './run-accuracy.ts';
import { significanceCounts } from './significance-counts.ts';

// 3 classes, 3 seeds per arm: B loses class 0 in every seed, keeps the rest.
const yTrue = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
const armA = [
  [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 0],
  [0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2],
  [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2],
];
const armB = [
  [1, 1, 1, 0, 1, 1, 1, 1, 2, 2, 2, 2],
  [1, 1, 2, 1, 1, 1, 1, 1, 2, 2, 2, 0],
  [2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2],
];
const matrix = (arm: number[][]) =>
  classStatisticMatrix(
    arm.map((yPred, i) => runAccuracy({ yTrue, yPred }, 3, `runs[${i}]`)),
    3,
    'normalized',
  );

describe('significanceCounts', () => {
  it('counts what compareClasses finds, raw and after Holm and BH over the same p-values', () => {
    const counts = significanceCounts(
      { matrix: matrix(armA), seeds: 3 },
      { matrix: matrix(armB), seeds: 3 },
      3,
      0.05,
    );
    const runs = (arm: number[][]) => arm.map((yPred) => ({ yTrue, yPred }));
    const direct = compareClasses(runs(armA), runs(armB), { numClasses: 3 });
    const p = Float64Array.from(direct.perClass, (c) => c.pValue);
    const atMost = (q: Float64Array) => q.filter((v) => v <= 0.05).length;
    expect(counts).toEqual({
      raw: direct.significantCount,
      holm: atMost(adjustPValues(p, 'holm')),
      bh: atMost(adjustPValues(p, 'bh')),
      tested: direct.testedCount,
    });
    expect(counts?.raw).toBeGreaterThanOrEqual(1);
  });

  it('is null when an arm has fewer than two seeds', () => {
    const one = { matrix: matrix(armA.slice(0, 1)), seeds: 1 };
    expect(significanceCounts(one, { matrix: matrix(armB), seeds: 3 }, 3, 0.05)).toBeNull();
  });
});
