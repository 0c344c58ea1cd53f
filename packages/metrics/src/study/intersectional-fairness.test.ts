import { describe, expect, it } from 'vitest';
import { classGroupCounts } from '../group/class-group-counts.ts';
import { intersectionIndex } from '../group/intersection-index.ts';
import { intersectionalDisparity } from '../group/intersectional-disparity.ts';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { bootstrapCI } from '../stats/bootstrap.ts';
import { createRandom } from '../stats/random.ts';
import { intersectionalFairness } from './intersectional-fairness.ts';
import type { StudyRun } from './study-types.ts';
import { summarizeStudy } from './summarize-study.ts';

/** A small study: 3 arms × 3 seeds, predictions right with a probability set per arm. */
function study(numClasses: number, n: number, seed: number) {
  const rnd = createRandom(seed);
  const yTrue = Array.from({ length: n }, () => rnd.int(numClasses));
  const sex = Array.from({ length: n }, () => (rnd.next() < 0.4 ? 'F' : 'M'));
  const age = Array.from({ length: n }, () => rnd.int(3));
  const runs: StudyRun[] = [];
  for (const seed of [0, 1, 2]) {
    for (const [role, temperature, skill] of [
      ['teacher', null, 0.9],
      ['student', null, 0.6],
      ['distilled', 4, 0.7],
    ] as const) {
      const yPred = yTrue.map((y) => (rnd.next() < skill ? y : rnd.int(numClasses)));
      runs.push({ role, temperature, seed, yPred });
    }
  }
  return { yTrue, sex, age, runs };
}

describe('intersectionalFairness', () => {
  for (const numClasses of [2, 5]) {
    it(`reproduces summarizeStudy's DPD and EOD estimates for one attribute (${numClasses} classes)`, () => {
      const { yTrue, sex, runs } = study(numClasses, 150, numClasses);
      const bootstrap = { iterations: 300, seed: 9 };
      const summary = summarizeStudy({
        numClasses,
        yTrue,
        runs,
        sensitive: { sex },
        options: { bootstrap },
      });
      const index = intersectionIndex({ sex });
      const attribute = summary.groupFairness[0];
      expect(attribute?.arms).toHaveLength(3);
      for (const arm of attribute?.arms ?? []) {
        const counts = runs
          .filter((r) => r.role === arm.role && r.temperature === arm.temperature)
          .sort((a, b) => a.seed - b.seed)
          .map((r) => classGroupCounts(yTrue, r.yPred, index, numClasses));
        const f = intersectionalFairness(counts, { minGroupSize: 1, bootstrap });
        expect(f.demographicParityDifference).toEqual(arm.dpd);
        expect(f.equalizedOddsDifference).toEqual(arm.eod);
        expect(f.groups).toEqual(attribute?.groups.map((g) => [g]));
      }
    });
  }

  it('estimates each seed’s value with the study’s bootstrap, for an intersection', () => {
    const { yTrue, sex, age, runs } = study(4, 300, 21);
    const index = intersectionIndex({ sex, age });
    const teacher = runs
      .filter((r) => r.role === 'teacher')
      .map((r) => classGroupCounts(yTrue, r.yPred, index, 4));
    const options = {
      minGroupSize: 40,
      method: 'to_overall' as const,
      bootstrap: { iterations: 500, seed: 3 },
    };
    const f = intersectionalFairness(teacher, options);
    const perSeed = teacher.map((c) => intersectionalDisparity(c, options));
    const values = perSeed.map((d) => d.equalizedOddsRatio.value);
    expect(f.equalizedOddsRatio.values).toEqual(values);
    const [v0, v1, v2] = values as [number, number, number];
    const mean = (v0 + v1 + v2) / 3;
    expect(f.equalizedOddsRatio.mean).toBeCloseTo(mean, 15);
    const ci = bootstrapCI(values, options.bootstrap);
    expect([f.equalizedOddsRatio.lower, f.equalizedOddsRatio.upper]).toEqual([ci.lower, ci.upper]);
    expect(f.attributes).toEqual(['sex', 'age']);
    expect(f.counts.reduce((s, v) => s + v, 0)).toBe(300);
    expect(f.comparedGroups).toBe(perSeed[0]?.comparedGroups);
    expect(f.smallGroups).toEqual(
      f.groups.flatMap((group, g) =>
        (f.counts[g] as number) < 40 ? [{ group, count: f.counts[g] }] : [],
      ),
    );
  });

  it('refuses runs of different test sets, and no runs', () => {
    const a = classGroupCounts([0, 1], [0, 1], { s: ['x', 'y'] }, 2);
    const b = classGroupCounts([1, 1], [0, 1], { s: ['x', 'y'] }, 2);
    expect(() => intersectionalFairness([a, b])).toThrow(
      new MetricsInputError(
        'runs[1]',
        'has other rows per (class, group) than the first run: every run must be scored on the same test set',
      ),
    );
    const c = classGroupCounts([0, 1], [0, 1], { s: ['x', 'y'] }, 3);
    expect(() => intersectionalFairness([a, c])).toThrow('runs[1]: has 3 classes, the first run 2');
    const d = classGroupCounts([0, 1], [0, 1], { t: ['x', 'y'] }, 2);
    expect(() => intersectionalFairness([a, d])).toThrow(
      'runs[1]: is grouped by t, the first run by s',
    );
    expect(() => intersectionalFairness([])).toThrow('runs: is empty');
  });
});
