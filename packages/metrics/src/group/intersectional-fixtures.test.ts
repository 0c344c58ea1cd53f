// Compares the intersectional functions with fairlearn's MetricFrame over several sensitive
// features, as fixtures/group/make_fixtures.py restates it (pandas groupby on all the features,
// by_group reindexed onto their product; disparities over groups of at least minGroupSize rows).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classGroupCounts } from './class-group-counts.ts';
import type { DisparityMethod } from './disparity.ts';
import type { EqualizedOddsAggregation } from './equalized-odds.ts';
import { intersectionIndex } from './intersection-index.ts';
import { intersectionalDisparity } from './intersectional-disparity.ts';
import { intersectionalMetrics } from './intersectional-metrics.ts';

/** JSON has no NaN: the fixture writes it as null. */
type Num = number | null;
interface Slice {
  count: number;
  accuracy: Num;
  selectionRate: Num;
  tpr: Num;
  fpr: Num;
}
interface ByClass {
  perClass: Num[];
  mean: Num;
  max: Num;
}
interface Case {
  name: string;
  numClasses: number;
  attributes: string[];
  sensitive: Record<string, (string | number)[]>;
  yTrue: number[];
  yPred: number[];
  expected: {
    groups: (string | number)[][];
    counts: number[];
    metrics: { posLabel: number; overall: Slice; byGroup: (Slice & { group: unknown })[] }[];
    disparity: ({
      minGroupSize: number;
      method: DisparityMethod;
      agg: EqualizedOddsAggregation;
      comparedGroups: number;
    } & Record<(typeof DISPARITIES)[number], ByClass>)[];
  };
}

const DISPARITIES = [
  'demographicParityDifference',
  'demographicParityRatio',
  'equalizedOddsDifference',
  'equalizedOddsRatio',
] as const;

const fixture: { cases: Case[] } = JSON.parse(
  readFileSync(new URL('../../fixtures/group/intersectional-cases.json', import.meta.url), 'utf8'),
);

const TOL = 1e-12;
function close(actual: number, expected: Num, label: string): void {
  if (expected === null) {
    expect(actual, label).toBeNaN();
  } else {
    expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
      TOL,
    );
  }
}

describe('fairlearn fixtures: several sensitive features', () => {
  it('has the cases the fixture script writes', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(6);
    // Between them: empty intersections, excluded groups, no group left, NaN classes.
    const all = fixture.cases.flatMap((c) => c.expected.disparity);
    expect(fixture.cases.some((c) => c.expected.counts.includes(0))).toBe(true);
    expect(all.some((d) => d.comparedGroups === 0)).toBe(true);
    expect(all.some((d) => d.demographicParityRatio.perClass.includes(null))).toBe(true);
  });

  for (const c of fixture.cases) {
    describe(c.name, () => {
      const index = intersectionIndex(c.sensitive, c.attributes);
      const counts = classGroupCounts(c.yTrue, c.yPred, index, c.numClasses);

      it('groups: the product of the features’ values in MultiIndex order, with counts', () => {
        expect(index.groups).toEqual(c.expected.groups);
        expect(Array.from(index.counts)).toEqual(c.expected.counts);
      });

      it('MetricFrame overall and by_group for every class as positive', () => {
        for (const e of c.expected.metrics) {
          const m = intersectionalMetrics(counts, { posLabel: e.posLabel, minGroupSize: 1 });
          const label = `class ${e.posLabel}`;
          expect(m.overall.count).toBe(e.overall.count);
          for (const key of ['accuracy', 'selectionRate', 'tpr', 'fpr'] as const) {
            close(m.overall[key], e.overall[key], `${label} overall ${key}`);
          }
          m.byGroup.forEach((g, i) => {
            const eg = e.byGroup[i];
            if (eg === undefined) throw new Error(`no expected group ${i}`);
            expect(g.group).toEqual(eg.group);
            expect(g.count).toBe(eg.count);
            for (const key of ['accuracy', 'selectionRate', 'tpr', 'fpr'] as const) {
              close(g[key], eg[key], `${label} group ${g.group.join(' × ')} ${key}`);
            }
          });
        }
      });

      it('DPD, DPR, EOD, EOR per class, mean and max, every method, agg and minimum size', () => {
        for (const e of c.expected.disparity) {
          const { minGroupSize, method, agg } = e;
          const d = intersectionalDisparity(counts, { minGroupSize, method, agg });
          const label = `min ${minGroupSize} ${method} ${agg}`;
          expect(d.comparedGroups, label).toBe(e.comparedGroups);
          expect(d.smallGroups.map((s) => s.count)).toEqual(
            c.expected.counts.filter((n) => n < minGroupSize),
          );
          for (const key of DISPARITIES) {
            const expected = e[key];
            d[key].perClass.forEach((v, k) => {
              close(v, expected.perClass[k] ?? null, `${label} ${key} class ${k}`);
            });
            close(d[key].mean, expected.mean, `${label} ${key} mean`);
            close(d[key].max, expected.max, `${label} ${key} max`);
          }
        }
      });
    });
  }
});
