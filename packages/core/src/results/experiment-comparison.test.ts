import type { StudySummary } from '@kdlens/metrics';
import { describe, expect, it } from 'vitest';
import {
  type ComparedRun,
  type ComparedStudy,
  compareExperiments,
  ExperimentComparisonError,
  MAX_COMPARED_DELTA_ROWS,
} from './experiment-comparison.ts';

const testSet = {
  digest: 'a'.repeat(64),
  numClasses: 3,
  classNames: ['x', 'y', 'z'],
  examples: 30,
};

const run = (
  role: ComparedRun['role'],
  temperature: number | null,
  seed: number,
  perClass: number[],
): ComparedRun => ({
  role,
  temperature,
  seed,
  overall: 0.5,
  perClass: Float64Array.from(perClass),
});

const estimate = (values: number[]) => ({
  mean: values.reduce((s, v) => s + v, 0) / values.length,
  sd: Number.NaN,
  lower: 0,
  upper: 1,
  values,
});

const summaryA: StudySummary = {
  numClasses: 3,
  examples: 30,
  alpha: 0.05,
  statistic: 'normalized',
  arms: [
    { role: 'teacher', temperature: null, seeds: [0], accuracy: estimate([0.9]) },
    { role: 'distilled', temperature: 4, seeds: [0], accuracy: estimate([0.7]) },
  ],
  significance: [{ temperature: 4, sc: null, tc: { raw: 1, holm: 0, bh: 1, tested: 3 } }],
  groupFairness: [
    {
      attribute: 'colour',
      groups: ['red', 'blue'],
      arms: [{ role: 'distilled', temperature: 4, dpd: estimate([0.2]), eod: estimate([0.1]) }],
    },
  ],
  individualFairness: null,
};

// Reference A: teacher, NDS (2 seeds), KD T=2 and T=4 (1 seed each).
const studyA: ComparedStudy = {
  experimentId: 'A',
  name: 'small student',
  testSet,
  summary: summaryA,
  stale: false,
  runs: [
    run('teacher', null, 0, [0.9, 0.9, 0.9]),
    run('student', null, 1, [0.7, 0.9, 0.75]),
    run('student', null, 0, [0.5, 0.8, 0.25]),
    run('distilled', 2, 0, [0.1, 0.1, 0.1]),
    run('distilled', 4, 0, [0.4, 0.6, Number.NaN]),
  ],
};
// B: NDS (2 seeds), KD T=4 and T=8; no teacher, no summary.
const studyB: ComparedStudy = {
  experimentId: 'B',
  name: 'large student',
  testSet: { ...testSet },
  summary: null,
  stale: false,
  runs: [
    run('student', null, 0, [0.6, 0.5, 0.5]),
    run('student', null, 1, [1.0, 0.6, 0.5]),
    run('distilled', 4, 0, [0.5, 0.3, Number.NaN]),
    run('distilled', 8, 0, [0.2, 0.2, 0.2]),
  ],
};

describe('compareExperiments', () => {
  it('reports each stored summary as it is, labelled', () => {
    const c = compareExperiments([studyA, studyB]);
    expect(c.testSet).toEqual(testSet);
    const [a, b] = c.experiments;
    expect(a?.arms.map((x) => x.label)).toEqual(['Teacher', 'KD T=4']);
    expect(a?.arms[1]?.accuracy.mean).toBe(0.7);
    expect(a?.alpha).toBe(0.05);
    expect(a?.significance[0]?.tc?.raw).toBe(1);
    expect(a?.groupFairness[0]?.arms[0]?.dpd.mean).toBe(0.2);
    expect(b).toMatchObject({ experimentId: 'B', arms: [], significance: [], alpha: null });
  });

  it('gives per-class deltas B − A for the arms both have, checked by hand and scipy', () => {
    const c = compareExperiments([studyA, studyB]);
    // Teacher only in A, KD T=2 only in A, KD T=8 only in B: NDS and KD T=4 remain.
    expect(c.classDeltas.map((d) => d.arm.label)).toEqual(['NDS', 'KD T=4']);
    const nds = c.classDeltas[0];
    expect(nds?.referenceId).toBe('A');
    expect(nds?.experimentId).toBe('B');
    expect(nds?.referenceSeeds).toEqual([0, 1]);
    const rows = nds?.comparison.perClass ?? [];
    // Class means: A (0.6, 0.85, 0.5), B (0.8, 0.55, 0.5).
    expect(rows.map((r) => r.meanA)).toEqual([0.6, 0.85, 0.5].map((v) => expect.closeTo(v, 12)));
    expect(rows.map((r) => r.delta)).toEqual([0.2, -0.3, 0].map((v) => expect.closeTo(v, 12)));
    // scipy.stats.ttest_ind([0.5, 0.7], [0.6, 1.0], equal_var=False).pvalue and so on.
    expect(rows[0]?.pValue).toBeCloseTo(0.4931327081208472, 12);
    expect(rows[1]?.pValue).toBeCloseTo(0.05131670194948616, 12);
    expect(rows[2]?.pValue).toBeCloseTo(1, 12);
    // Holm over three: sorted p × (3, 2, 1), made monotone.
    expect(rows[1]?.pAdjusted).toBeCloseTo(3 * 0.05131670194948616, 12);
    expect(rows[0]?.pAdjusted).toBeCloseTo(2 * 0.4931327081208472, 12);
    expect(rows[2]?.pAdjusted).toBe(1);
    expect(nds?.comparison.testedCount).toBe(3);
    expect(Array.from(nds?.worst ?? [])).toEqual([1, 2, 0]);

    const kd4 = c.classDeltas[1];
    const kdRows = kd4?.comparison.perClass ?? [];
    expect(kdRows[0]?.delta).toBeCloseTo(0.1, 12);
    expect(kdRows[1]?.delta).toBeCloseTo(-0.3, 12);
    // A class without test examples has no delta; one seed per side gives no test.
    expect(kdRows[2]?.delta).toBeNaN();
    expect(kdRows.every((r) => Number.isNaN(r.pValue))).toBe(true);
    expect(kd4?.comparison.testedCount).toBe(0);
    expect(Array.from(kd4?.worst ?? [])).toEqual([1, 0]);
  });

  it('compares every further experiment with the first', () => {
    const studyC: ComparedStudy = { ...studyB, experimentId: 'C', name: 'third' };
    const c = compareExperiments([studyA, studyB, studyC]);
    expect(c.classDeltas.map((d) => `${d.experimentId}:${d.arm.label}`)).toEqual([
      'B:NDS',
      'B:KD T=4',
      'C:NDS',
      'C:KD T=4',
    ]);
  });

  it('refuses a different test set, naming the experiment that differs', () => {
    const other: ComparedStudy = {
      ...studyB,
      experimentId: 'C',
      name: 'on CIFAR',
      testSet: { ...testSet, digest: 'b'.repeat(64) },
    };
    const attempt = () => compareExperiments([studyA, studyB, other]);
    expect(attempt).toThrow(ExperimentComparisonError);
    expect(attempt).toThrow(
      /^experiments\[2\]: experiment "on CIFAR" \(C\) is on a different test set .*digest bbbbbbbbbbbb….* from experiment "small student" \(A\)/,
    );
    try {
      attempt();
    } catch (error) {
      expect((error as ExperimentComparisonError).index).toBe(2);
    }
  });

  it('refuses fewer than two, more than eight, a repeat, or one without a test set', () => {
    expect(() => compareExperiments([studyA])).toThrow(/give 2 to 8 experiments, got 1/);
    const many = Array.from({ length: 9 }, (_, i) => ({ ...studyB, experimentId: `E${i}` }));
    expect(() => compareExperiments(many)).toThrow(/got 9/);
    expect(() => compareExperiments([studyA, studyB, studyA])).toThrow(
      /experiments\[2\]: experiment "small student" \(A\) is already experiments\[0\]/,
    );
    expect(() => compareExperiments([studyA, { ...studyB, testSet: null }])).toThrow(
      /experiments\[1\]: experiment "large student" \(B\) has no test set recorded yet/,
    );
  });
});

describe('compareExperiments answer size', () => {
  // 34 arms (teacher, NDS, T = 1…32), one seed each, on a test set of `classes` classes.
  const studyOf = (id: string, classes: number): ComparedStudy => ({
    experimentId: id,
    name: id,
    testSet: { ...testSet, numClasses: classes, classNames: [] },
    summary: null,
    stale: false,
    runs: [
      run('teacher', null, 0, []),
      run('student', null, 0, []),
      ...Array.from({ length: 32 }, (_, t) => run('distilled', t + 1, 0, [])),
    ].map((r) => ({ ...r, perClass: new Float64Array(classes).fill(0.5) })),
  });

  it('refuses more than MAX_COMPARED_DELTA_ROWS per-class rows before testing any', () => {
    expect(MAX_COMPARED_DELTA_ROWS).toBe(200_000);
    // 34 shared arms × 840 classes × 7 others = 199,920 rows: answered.
    const fits = Array.from({ length: 8 }, (_, i) => studyOf(`E${i}`, 840));
    expect(compareExperiments(fits).classDeltas).toHaveLength(34 * 7);
    // 34 × 841 × 7 = 200,158 rows: refused, naming experiments.
    const over = Array.from({ length: 8 }, (_, i) => studyOf(`E${i}`, 841));
    expect(() => compareExperiments(over)).toThrow(ExperimentComparisonError);
    expect(() => compareExperiments(over)).toThrow(
      'experiments: 200158 per-class delta rows (shared arms × 841 classes',
    );
  });
});

describe('compareExperiments accuracy deltas', () => {
  it('per arm: its summary mean minus the first experiment’s, by hand', () => {
    const summaryC: StudySummary = {
      ...summaryA,
      arms: [
        { role: 'teacher', temperature: null, seeds: [0], accuracy: estimate([0.85]) },
        { role: 'distilled', temperature: 4, seeds: [0], accuracy: estimate([0.75]) },
        { role: 'distilled', temperature: 8, seeds: [0], accuracy: estimate([0.6]) },
      ],
    };
    const studyC: ComparedStudy = { ...studyB, experimentId: 'C', summary: summaryC };
    const c = compareExperiments([studyA, studyB, studyC]);
    // The reference has no delta; B has no summary, so no arms; C: 0.85 − 0.9, 0.75 − 0.7, and
    // T=8, which A lacks.
    expect(c.experiments[0]?.accuracyDelta).toEqual([null, null]);
    expect(c.experiments[1]?.accuracyDelta).toEqual([]);
    const [teacher, t4, t8] = c.experiments[2]?.accuracyDelta ?? [];
    expect(teacher).toBeCloseTo(-0.05, 15);
    expect(t4).toBeCloseTo(0.05, 15);
    expect(t8).toBeNull();
  });
});
