import { describe, expect, it } from 'vitest';
import { compareClasses } from '../class-bias/compare-classes.ts';
import { demographicParityDifference } from '../group/demographic-parity.ts';
import { equalizedOddsDifference } from '../group/equalized-odds.ts';
import { oneVsRest } from '../group/one-vs-rest.ts';
import { consistencyScore } from '../individual/consistency.ts';
import { nearestNeighbors } from '../individual/nearest-neighbors.ts';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { createRandom } from '../stats/random.ts';
import { labelConsistency } from './label-consistency.ts';
import type { StudyInput, StudyRun } from './study-types.ts';
import { summarizeStudy } from './summarize-study.ts';

// 8 test examples, 2 classes, a binary sensitive attribute.
const yTrue = [0, 0, 0, 0, 1, 1, 1, 1];
const group = ['a', 'a', 'b', 'b', 'a', 'a', 'b', 'b'];
const run = (
  role: StudyRun['role'],
  temperature: number | null,
  seed: number,
  yPred: number[],
) => ({
  role,
  temperature,
  seed,
  yPred,
});

describe('summarizeStudy on a study small enough to check by hand', () => {
  const input: StudyInput = {
    numClasses: 2,
    yTrue,
    sensitive: { group },
    runs: [
      run('distilled', 2, 1, [0, 0, 0, 1, 1, 1, 1, 0]), // acc 6/8
      run('teacher', null, 0, [0, 0, 0, 0, 1, 1, 1, 1]), // acc 8/8
      run('teacher', null, 1, [0, 0, 0, 0, 1, 1, 1, 0]), // acc 7/8
      run('student', null, 0, [0, 1, 0, 0, 1, 1, 0, 1]), // acc 6/8
      run('student', null, 1, [0, 0, 1, 1, 1, 1, 1, 1]), // acc 6/8
      run('distilled', 2, 0, [0, 0, 0, 0, 1, 1, 0, 1]), // acc 7/8
    ],
    options: { bootstrap: { iterations: 200, seed: 3 } },
  };
  const summary = summarizeStudy(input);

  it('orders arms teacher, NDS, distilled by T, seeds ascending', () => {
    expect(summary.arms.map((a) => [a.role, a.temperature, a.seeds])).toEqual([
      ['teacher', null, [0, 1]],
      ['student', null, [0, 1]],
      ['distilled', 2, [0, 1]],
    ]);
  });

  it('reports accuracy mean and sample sd over seeds', () => {
    const [teacher, student, distilled] = summary.arms;
    expect(teacher?.accuracy.values).toEqual([1, 7 / 8]);
    expect(teacher?.accuracy.mean).toBeCloseTo(15 / 16, 15);
    // sd of {1, 0.875} with ddof 1: |1 − 0.875| / √2
    expect(teacher?.accuracy.sd).toBeCloseTo(0.125 / Math.SQRT2, 15);
    expect(student?.accuracy.mean).toBe(0.75);
    expect(student?.accuracy.sd).toBe(0);
    expect(distilled?.accuracy.values).toEqual([7 / 8, 6 / 8]);
    // A bootstrap of the mean of two values stays between them.
    expect(teacher?.accuracy.lower).toBeGreaterThanOrEqual(7 / 8);
    expect(teacher?.accuracy.upper).toBeLessThanOrEqual(1);
  });

  it('counts significant classes exactly as compareClasses does', () => {
    const arm = (role: string) =>
      input.runs
        .filter((r) => r.role === role)
        .sort((a, b) => a.seed - b.seed)
        .map((r) => ({ yTrue, yPred: r.yPred }));
    const [row] = summary.significance;
    expect(row?.temperature).toBe(2);
    for (const [key, other] of [
      ['sc', 'student'],
      ['tc', 'teacher'],
    ] as const) {
      const counts = row?.[key];
      const raw = compareClasses(arm(other), arm('distilled'), { numClasses: 2 });
      const holm = compareClasses(arm(other), arm('distilled'), {
        numClasses: 2,
        correction: 'holm',
      });
      const bh = compareClasses(arm(other), arm('distilled'), { numClasses: 2, correction: 'bh' });
      expect(counts).toEqual({
        raw: raw.significantCount,
        holm: holm.significantCount,
        bh: bh.significantCount,
        tested: raw.testedCount,
      });
    }
  });

  it('computes DPD and EOD per run with the fairlearn-equivalent functions', () => {
    const [attribute] = summary.groupFairness;
    expect(attribute?.attribute).toBe('group');
    expect(attribute?.groups).toEqual(['a', 'b']);
    const teacher = attribute?.arms[0];
    // Teacher seed 0 predicts perfectly: selection rate 2/4 in both groups → DPD 0, EOD 0.
    // Teacher seed 1 misses the last example (group b, positive): selection a = 2/4, b = 1/4
    // → DPD 0.25; TPR a = 1, b = 1/2, FPR 0 in both → EOD 0.5.
    expect(teacher?.dpd.values).toEqual([0, 0.25]);
    expect(teacher?.eod.values).toEqual([0, 0.5]);
    for (const arm of attribute?.arms ?? []) {
      const runs = input.runs
        .filter((r) => r.role === arm.role && r.temperature === arm.temperature)
        .sort((a, b) => a.seed - b.seed);
      expect(arm.dpd.values).toEqual(
        runs.map((r) => demographicParityDifference(yTrue, r.yPred, group)),
      );
      expect(arm.eod.values).toEqual(
        runs.map((r) => equalizedOddsDifference(yTrue, r.yPred, group)),
      );
    }
  });

  it('has no individual fairness without features', () => {
    expect(summary.individualFairness).toBeNull();
  });
});

describe('summarizeStudy with several classes and features', () => {
  const n = 120;
  const numClasses = 3;
  const rnd = createRandom(11);
  const yTrue = Array.from({ length: n }, () => rnd.int(numClasses));
  const sex = Array.from({ length: n }, () => rnd.int(2));
  const features = Float64Array.from({ length: n * 2 }, () => rnd.next());
  const noisy = (p: number) => yTrue.map((y) => (rnd.next() < p ? rnd.int(numClasses) : y));
  const probsOf = (yPred: number[]) =>
    Float64Array.from({ length: n * numClasses }, (_, i) =>
      yPred[Math.floor(i / numClasses)] === i % numClasses ? 0.8 : 0.1,
    );
  const runs: StudyRun[] = [];
  for (const seed of [0, 1, 2]) {
    for (const [role, temperature, noise] of [
      ['teacher', null, 0.1],
      ['student', null, 0.4],
      ['distilled', 4, 0.3],
    ] as const) {
      const yPred = noisy(noise);
      runs.push({ role, temperature, seed, yPred, probs: probsOf(yPred) });
    }
  }
  const summary = summarizeStudy({
    numClasses,
    yTrue,
    runs,
    sensitive: { sex },
    features: { values: features, d: 2 },
    options: { individual: { k: 3, pairs: 'all' } },
  });

  it('averages DPD one-vs-rest over classes', () => {
    const distilled = summary.groupFairness[0]?.arms[2];
    const expected = runs
      .filter((r) => r.role === 'distilled')
      .map((r) => oneVsRest(demographicParityDifference, yTrue, r.yPred, sex, numClasses).mean);
    expect(distilled?.dpd.values).toEqual(expected);
  });

  it('scores individual fairness per arm', () => {
    const rows = summary.individualFairness ?? [];
    expect(rows.map((r) => r.role)).toEqual(['teacher', 'student', 'distilled']);
    for (const row of rows) {
      expect(row.consistency.values).toHaveLength(3);
      for (const v of row.consistency.values) expect(v).toBeGreaterThanOrEqual(0);
      expect(row.lipschitz?.mean).toBeGreaterThan(0);
    }
  });

  it('scores consistency with the neighbours of the features', () => {
    // labelConsistency over nearestNeighbors is AIF360's consistency for 0/1 labels.
    const neighbours = nearestNeighbors(features, 2, 3);
    const binary = runs.map((r) => Array.from(r.yPred, (y) => (y === 0 ? 1 : 0)));
    for (const yPred of binary) {
      expect(labelConsistency(neighbours, 3, yPred)).toBeCloseTo(
        consistencyScore(features, 2, yPred, { k: 3 }),
        12,
      );
    }
    const teacher = summary.individualFairness?.[0];
    expect(teacher?.consistency.values).toEqual(
      runs.filter((r) => r.role === 'teacher').map((r) => labelConsistency(neighbours, 3, r.yPred)),
    );
  });

  it('uses neighbours given with the input, and only for the k it needs', () => {
    const input = {
      numClasses,
      yTrue,
      runs,
      sensitive: { sex },
      features: { values: features, d: 2 },
      options: { individual: { k: 3, pairs: 'all' as const } },
    };
    const given = summarizeStudy({
      ...input,
      neighbours: { k: 3, indices: nearestNeighbors(features, 2, 3) },
    });
    expect(given.individualFairness).toEqual(summary.individualFairness);
    // A graph for another k (or of another size) is not this one's: computed afresh.
    const otherK = summarizeStudy({
      ...input,
      neighbours: { k: 2, indices: nearestNeighbors(features, 2, 2) },
    });
    expect(otherK.individualFairness).toEqual(summary.individualFairness);
    // Given neighbours are trusted, not recomputed: reversed rows change consistency.
    const reversed = nearestNeighbors(features, 2, 3).reverse();
    const trusted = summarizeStudy({ ...input, neighbours: { k: 3, indices: reversed } });
    expect(trusted.individualFairness?.[0]?.consistency.values).toEqual(
      runs.filter((r) => r.role === 'teacher').map((r) => labelConsistency(reversed, 3, r.yPred)),
    );
  });
});

describe('summarizeStudy input errors', () => {
  const base = { numClasses: 2, yTrue: [0, 1] };
  it('names the run and field', () => {
    expect(() =>
      summarizeStudy({
        ...base,
        runs: [{ role: 'teacher', temperature: 2, seed: 0, yPred: [0, 1] }],
      }),
    ).toThrow(
      new MetricsInputError('runs[0].temperature', 'only distilled runs have a temperature, got 2'),
    );
    expect(() =>
      summarizeStudy({
        ...base,
        runs: [
          { role: 'student', temperature: null, seed: 0, yPred: [0, 1] },
          { role: 'student', temperature: null, seed: 0, yPred: [1, 1] },
        ],
      }),
    ).toThrow('runs[1].seed: seed 0 of this arm already appears as runs[0]');
    expect(() =>
      summarizeStudy({
        ...base,
        runs: [{ role: 'teacher', temperature: null, seed: 0, yPred: [0] }],
      }),
    ).toThrow('runs[0].yPred: has 1 elements but runs[0].yTrue has 2');
    expect(() => summarizeStudy({ ...base, runs: [] })).toThrow('runs: is empty');
  });
});
