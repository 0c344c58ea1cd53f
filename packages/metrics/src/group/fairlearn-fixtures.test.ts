// Compares every group metric with fairlearn's values, computed by
// fixtures/group/make_fixtures.py (fairlearn semantics over scikit-learn and pandas).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demographicParityDifference, demographicParityRatio } from './demographic-parity.ts';
import type { DisparityMethod } from './disparity.ts';
import { equalOpportunityDifference, equalOpportunityRatio } from './equal-opportunity.ts';
import {
  type EqualizedOddsAggregation,
  equalizedOddsDifference,
  equalizedOddsRatio,
} from './equalized-odds.ts';
import { groupIndex } from './group-index.ts';
import { groupMetrics } from './group-metrics.ts';
import { type BinaryGroupMetric, oneVsRest } from './one-vs-rest.ts';
import { falsePositiveRate, selectionRate, truePositiveRate } from './rates.ts';

/** JSON has no NaN: the fixture writes it as null. */
type Num = number | null;
type ByMethod = Record<DisparityMethod, Num>;
type ByAgg = Record<EqualizedOddsAggregation, ByMethod>;
interface Slice {
  count: number;
  accuracy: number;
  selectionRate: number;
  tpr: number;
  fpr: number;
}
interface BinaryCase {
  name: string;
  yTrue: number[];
  yPred: number[];
  sensitive: (string | number)[];
  posLabel: number;
  expected: {
    groups: (string | number)[];
    overall: Slice;
    byGroup: (Slice & { group: string | number })[];
    demographicParityDifference: ByMethod;
    demographicParityRatio: ByMethod;
    equalizedOddsDifference: ByAgg;
    equalizedOddsRatio: ByAgg;
    equalOpportunityDifference: ByMethod;
    equalOpportunityRatio: ByMethod;
  };
}
interface OneVsRestCase {
  name: string;
  yTrue: number[];
  yPred: number[];
  sensitive: (string | number)[];
  numClasses: number;
  expected: Record<string, { perClass: Num[]; mean: Num; max: Num }>;
}
interface Fixture {
  cases: BinaryCase[];
  oneVsRest: OneVsRestCase[];
}

const fixture: Fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/group/fairlearn-cases.json', import.meta.url), 'utf8'),
);

const nan = (v: Num): number => (v === null ? Number.NaN : v);
const TOL = 1e-12;

function close(actual: number, expected: Num, label: string): void {
  const e = nan(expected);
  if (Number.isNaN(e)) {
    expect(actual, label).toBeNaN();
  } else {
    expect(Math.abs(actual - e), `${label}: ${actual} vs ${e}`).toBeLessThanOrEqual(TOL);
  }
}

function closeSlice(actual: Slice, expected: Slice, label: string): void {
  expect(actual.count, `${label} count`).toBe(expected.count);
  for (const key of ['accuracy', 'selectionRate', 'tpr', 'fpr'] as const) {
    close(actual[key], expected[key], `${label} ${key}`);
  }
}

const METHODS: DisparityMethod[] = ['between_groups', 'to_overall'];
const AGGS: EqualizedOddsAggregation[] = ['worst_case', 'mean'];

describe('fairlearn fixtures: binary cases', () => {
  it('has the cases the fixture script writes', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of fixture.cases) {
    describe(c.name, () => {
      const { yTrue, yPred, sensitive, posLabel, expected } = c;

      it('groups in pandas order', () => {
        expect(groupIndex(sensitive).groups).toEqual(expected.groups);
      });

      it('groupMetrics = MetricFrame overall and by_group', () => {
        const m = groupMetrics(yTrue, yPred, sensitive, { posLabel });
        closeSlice(m.overall, expected.overall, 'overall');
        expect(m.byGroup.map((g) => g.group)).toEqual(expected.byGroup.map((g) => g.group));
        m.byGroup.forEach((g, i) => {
          const e = expected.byGroup[i];
          if (e === undefined) throw new Error(`no expected group ${i}`);
          closeSlice(g, e, `group ${g.group}`);
        });
      });

      it('ungrouped rates = overall', () => {
        close(selectionRate(yTrue, yPred, { posLabel }), expected.overall.selectionRate, 'sel');
        close(truePositiveRate(yTrue, yPred, { posLabel }), expected.overall.tpr, 'tpr');
        close(falsePositiveRate(yTrue, yPred, { posLabel }), expected.overall.fpr, 'fpr');
      });

      it('disparity metrics, both methods and aggregations', () => {
        for (const method of METHODS) {
          const o = { posLabel, method };
          close(
            demographicParityDifference(yTrue, yPred, sensitive, o),
            expected.demographicParityDifference[method],
            `DPD ${method}`,
          );
          close(
            demographicParityRatio(yTrue, yPred, sensitive, o),
            expected.demographicParityRatio[method],
            `DPR ${method}`,
          );
          close(
            equalOpportunityDifference(yTrue, yPred, sensitive, o),
            expected.equalOpportunityDifference[method],
            `EqOppD ${method}`,
          );
          close(
            equalOpportunityRatio(yTrue, yPred, sensitive, o),
            expected.equalOpportunityRatio[method],
            `EqOppR ${method}`,
          );
          for (const agg of AGGS) {
            close(
              equalizedOddsDifference(yTrue, yPred, sensitive, { ...o, agg }),
              expected.equalizedOddsDifference[agg][method],
              `EOD ${agg} ${method}`,
            );
            close(
              equalizedOddsRatio(yTrue, yPred, sensitive, { ...o, agg }),
              expected.equalizedOddsRatio[agg][method],
              `EOR ${agg} ${method}`,
            );
          }
        }
      });
    });
  }
});

const OVR_METRICS: Record<string, BinaryGroupMetric> = {
  demographicParityDifference,
  demographicParityRatio,
  equalizedOddsDifference,
  equalizedOddsDifferenceMean: (t, p, s, o) =>
    equalizedOddsDifference(t, p, s, { ...o, agg: 'mean' }),
  equalizedOddsRatio,
  equalOpportunityDifference,
};

describe('fairlearn fixtures: one-vs-rest over binarised classes', () => {
  for (const c of fixture.oneVsRest) {
    it(c.name, () => {
      expect(Object.keys(c.expected).sort()).toEqual(Object.keys(OVR_METRICS).sort());
      for (const [name, metric] of Object.entries(OVR_METRICS)) {
        const e = c.expected[name];
        if (e === undefined) throw new Error(`fixture lacks ${name}`);
        const r = oneVsRest(metric, c.yTrue, c.yPred, c.sensitive, c.numClasses);
        expect(r.perClass.length).toBe(c.numClasses);
        r.perClass.forEach((v, k) => {
          close(v, e.perClass[k] ?? Number.NaN, `${name} class ${k}`);
        });
        close(r.mean, e.mean, `${name} mean`);
        close(r.max, e.max, `${name} max`);
      }
    });
  }
});
