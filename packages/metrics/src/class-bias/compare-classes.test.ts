import { describe, expect, it } from 'vitest';
import { loadFixture, relativeError } from '../../fixtures/stats/load-fixture.ts';
import { studentTTwoSidedP } from '../stats/student-t.ts';
import { type ClassCorrection, type ClassStatistic, compareClasses } from './compare-classes.ts';
import type { Run } from './run-accuracy.ts';

interface Expected {
  meanA: number[];
  meanB: number[];
  sdA: number[];
  sdB: number[];
  t: number[];
  pValue: number[];
  pAdjusted: Record<ClassCorrection, number[]>;
}
interface CompareFixture {
  numClasses: number;
  yTrue: number[];
  armA: number[][];
  armB: number[][];
  expected: Record<ClassStatistic, Expected>;
}

describe('compareClasses', () => {
  it('computes a 2-class, 2-runs-per-arm example by hand', () => {
    const yTrue = [0, 0, 1, 1];
    // Arm A: run 0 gets class 0 2/2, class 1 1/2, overall 3/4 → ratios 4/3, 2/3;
    //        run 1 gets class 0 1/2, class 1 2/2, overall 3/4 → ratios 2/3, 4/3.
    // Arm B: run 0 is perfect → ratios 1, 1;
    //        run 1 gets class 0 2/2, class 1 1/2, overall 3/4 → ratios 4/3, 2/3.
    const armA: Run[] = [
      { yTrue, yPred: [0, 0, 1, 0] },
      { yTrue, yPred: [0, 1, 1, 1] },
    ];
    const armB: Run[] = [
      { yTrue, yPred: [0, 0, 1, 1] },
      { yTrue, yPred: [0, 0, 0, 1] },
    ];
    const result = compareClasses(armA, armB, { numClasses: 2 });
    const [c0, c1] = result.perClass;
    // Class 0: A = [4/3, 2/3], mean 1, s² = 2·(1/3)² = 2/9; B = [1, 4/3], mean 7/6,
    // s² = 2·(1/6)² = 1/18. SE² = (2/9)/2 + (1/18)/2 = 5/36, t = (1 − 7/6)/√(5/36) = −1/√5,
    // df = (5/36)² / ((1/9)² + (1/36)²) = 25/17.
    expect(c0?.meanA).toBeCloseTo(1, 14);
    expect(c0?.meanB).toBeCloseTo(7 / 6, 14);
    expect(c0?.sdA).toBeCloseTo(Math.sqrt(2) / 3, 14);
    expect(c0?.sdB).toBeCloseTo(1 / (3 * Math.sqrt(2)), 14);
    expect(c0?.delta).toBeCloseTo(1 / 6, 14);
    expect(c0?.t).toBeCloseTo(-1 / Math.sqrt(5), 14);
    expect(c0?.df).toBeCloseTo(25 / 17, 14);
    // scipy.stats.ttest_ind([4/3, 2/3], [1, 4/3], equal_var=False).pvalue
    expect(relativeError(c0?.pValue ?? Number.NaN, 0.7117227912336699)).toBeLessThan(1e-9);
    // Class 1 mirrors class 0: A = [2/3, 4/3], B = [1, 2/3] → t = +1/√5, same df and p.
    expect(c1?.t).toBeCloseTo(1 / Math.sqrt(5), 14);
    expect(c1?.delta).toBeCloseTo(-1 / 6, 14);
    expect(c1?.pValue).toBeCloseTo(studentTTwoSidedP(1 / Math.sqrt(5), 25 / 17), 14);
    expect(result.significantCount).toBe(0);
    expect(result.testedCount).toBe(2);
    expect(result.significantFraction).toBe(0);
    expect(c0?.pAdjusted).toBe(c0?.pValue);
    expect(c0?.significant).toBe(false);
  });

  it('matches numpy + scipy + statsmodels for every statistic and correction', () => {
    const f = loadFixture<CompareFixture>('compare_classes.json');
    const toRuns = (arm: number[][]): Run[] => arm.map((yPred) => ({ yTrue: f.yTrue, yPred }));
    for (const statistic of ['normalized', 'difference', 'raw'] as const) {
      for (const correction of ['none', 'holm', 'bh'] as const) {
        const want = f.expected[statistic];
        const got = compareClasses(toRuns(f.armA), toRuns(f.armB), {
          numClasses: f.numClasses,
          statistic,
          correction,
        });
        const adjusted = want.pAdjusted[correction];
        got.perClass.forEach((row, c) => {
          const label = `${statistic}/${correction} class ${c}`;
          expect(relativeError(row.meanA, want.meanA[c] as number), label).toBeLessThan(1e-12);
          expect(relativeError(row.meanB, want.meanB[c] as number), label).toBeLessThan(1e-12);
          expect(relativeError(row.sdA, want.sdA[c] as number), label).toBeLessThan(1e-12);
          expect(relativeError(row.sdB, want.sdB[c] as number), label).toBeLessThan(1e-12);
          expect(relativeError(row.t, want.t[c] as number), label).toBeLessThan(1e-9);
          expect(relativeError(row.pValue, want.pValue[c] as number), label).toBeLessThan(1e-9);
          expect(relativeError(row.pAdjusted, adjusted[c] as number), label).toBeLessThan(1e-9);
          expect(row.significant, label).toBe((adjusted[c] as number) <= 0.05);
        });
        const defined = adjusted.filter((p) => !Number.isNaN(p));
        const significant = defined.filter((p) => p <= 0.05).length;
        expect(got.testedCount).toBe(defined.length);
        expect(got.significantCount).toBe(significant);
        expect(got.significantFraction).toBe(significant / defined.length);
      }
    }
  });

  it('leaves out classes with a NaN statistic: absent class, constant equal values', () => {
    const f = loadFixture<CompareFixture>('compare_classes.json');
    const toRuns = (arm: number[][]): Run[] => arm.map((yPred) => ({ yTrue: f.yTrue, yPred }));
    const raw = compareClasses(toRuns(f.armA), toRuns(f.armB), {
      numClasses: f.numClasses,
      statistic: 'raw',
      correction: 'bh',
    });
    // Class 5 never occurs in yTrue; class 4 is always right (raw accuracy 1 in all 10 runs).
    const absent = raw.perClass[5];
    expect(absent?.meanA).toBeNaN();
    expect(absent?.pValue).toBeNaN();
    expect(absent?.pAdjusted).toBeNaN();
    expect(absent?.significant).toBe(false);
    expect(raw.perClass[4]).toMatchObject({ meanA: 1, meanB: 1, sdA: 0, sdB: 0, delta: 0 });
    expect(raw.perClass[4]?.pValue).toBeNaN();
    expect(raw.testedCount).toBe(5);
  });

  it('counts a class constant in both arms at different values as significant (t = ±∞, p = 0)', () => {
    const yTrue = [0, 0, 1, 1];
    const armA: Run[] = [
      { yTrue, yPred: [0, 0, 1, 0] },
      { yTrue, yPred: [0, 0, 0, 1] },
    ];
    const armB: Run[] = [
      { yTrue, yPred: [0, 1, 1, 1] },
      { yTrue, yPred: [1, 0, 1, 1] },
    ];
    const { perClass } = compareClasses(armA, armB, { numClasses: 2, statistic: 'raw' });
    // Class 0: A = [1, 1], B = [0.5, 0.5].
    expect(perClass[0]).toMatchObject({
      t: Number.POSITIVE_INFINITY,
      pValue: 0,
      significant: true,
    });
  });

  it('uses alpha as an inclusive threshold', () => {
    const f = loadFixture<CompareFixture>('compare_classes.json');
    const toRuns = (arm: number[][]): Run[] => arm.map((yPred) => ({ yTrue: f.yTrue, yPred }));
    const compare = (alpha: number) =>
      compareClasses(toRuns(f.armA), toRuns(f.armB), { numClasses: f.numClasses, alpha });
    const p1 = compare(0.05).perClass[1]?.pValue ?? Number.NaN;
    expect(p1).toBeGreaterThan(0);
    expect(compare(p1).perClass[1]?.significant).toBe(true);
    expect(compare(p1 * 0.999).perClass[1]?.significant).toBe(false);
  });

  it('names the bad argument, run and index', () => {
    const yTrue = [0, 1, 1];
    const good: Run = { yTrue, yPred: [0, 1, 0] };
    expect(() => compareClasses([good], [good, good], { numClasses: 2 })).toThrow(
      'armA: needs at least 2 runs (one per seed) for a variance, got 1',
    );
    expect(() => compareClasses([good, good], [good], { numClasses: 2 })).toThrow('armB: needs');
    expect(() =>
      compareClasses([good, good], [good, good, { yTrue, yPred: [0, 2, 1] }], { numClasses: 2 }),
    ).toThrow('armB[2].yPred[1]: 2 is not a class index in [0, 2)');
    expect(() =>
      compareClasses([good, { yTrue, yPred: [0, 1] }], [good, good], { numClasses: 2 }),
    ).toThrow('armA[1].yPred: has 2 elements but armA[1].yTrue has 3');
    expect(() => compareClasses([good, good], [good, good], { numClasses: 0 })).toThrow(
      'options.numClasses',
    );
    expect(() =>
      compareClasses([good, good], [good, good], {
        numClasses: 2,
        statistic: 'ratio' as ClassStatistic,
      }),
    ).toThrow('options.statistic: must be one of normalized, difference, raw, got ratio');
  });
});
