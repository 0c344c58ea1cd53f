// Checks the class × group functions against fixtures/stats/compare_class_groups.py: cell
// accuracies from pandas groupby, Welch t and p from scipy, intervals from statsmodels, Holm and
// BH from statsmodels multipletests.
import { describe, expect, it } from 'vitest';
import { loadFixture, relativeError } from '../../fixtures/stats/load-fixture.ts';
import type { ClassCorrection } from '../class-bias/compare-classes.ts';
import { classGroupCounts } from '../group/class-group-counts.ts';
import { intersectionIndex } from '../group/intersection-index.ts';
import { armClassGroupAccuracy } from './arm-class-group-accuracy.ts';
import { compareClassGroups } from './compare-class-groups.ts';
import { worstCells } from './worst-cells.ts';

type Column = 'meanA' | 'meanB' | 'sdA' | 'sdB' | 'delta' | 't' | 'df' | 'pValue';
interface Comparison extends Record<Column, number[]> {
  a: string;
  b: string;
  confidence: number;
  lower: (number | null)[];
  upper: (number | null)[];
  holm: number[];
  bh: number[];
  worst: number[];
}
interface Fixture {
  numClasses: number;
  sensitive: { sex: string[]; age: string[] };
  groups: string[][];
  yTrue: number[];
  arms: Record<string, number[][]>;
  examples: number[];
  teacher: { mean: number[]; sd: number[] };
  comparisons: Comparison[];
}

const fixture = loadFixture<Fixture>('compare_class_groups.json');
const index = intersectionIndex(fixture.sensitive, ['sex', 'age']);
const armCounts = (name: string) =>
  (fixture.arms[name] ?? []).map((yPred) =>
    classGroupCounts(fixture.yTrue, yPred, index, fixture.numClasses),
  );

describe('class × group against pandas, scipy and statsmodels', () => {
  it('groups and examples per cell', () => {
    expect(index.groups).toEqual(fixture.groups);
    const r = compareClassGroups(armCounts('teacher'), armCounts('distilled'));
    expect(Array.from(r.examples)).toEqual(fixture.examples);
    expect(fixture.examples).toContain(0);
  });

  it('the teacher’s matrix: mean and sd over seeds', () => {
    const m = armClassGroupAccuracy(armCounts('teacher'));
    m.mean.forEach((v, i) => {
      expect(relativeError(v, fixture.teacher.mean[i] as number), `cell ${i}`).toBeLessThan(1e-14);
    });
    m.sd.forEach((v, i) => {
      expect(relativeError(v, fixture.teacher.sd[i] as number), `cell ${i}`).toBeLessThan(1e-12);
    });
  });

  for (const want of fixture.comparisons) {
    it(`${want.a} → ${want.b} at ${want.confidence}: delta, Welch test, interval, corrections, worst cells`, () => {
      const run = (correction: ClassCorrection) =>
        compareClassGroups(armCounts(want.a), armCounts(want.b), {
          confidence: want.confidence,
          correction,
        });
      const r = run('none');
      const cells = fixture.examples.length;
      expect(r.delta.length).toBe(cells);
      for (let i = 0; i < cells; i++) {
        const label = `cell ${i}`;
        for (const key of ['meanA', 'meanB', 'sdA', 'sdB', 'delta'] as const) {
          expect(
            relativeError(r[key][i] as number, want[key][i] as number),
            `${label} ${key}`,
          ).toBeLessThan(1e-12);
        }
        for (const key of ['t', 'df', 'pValue'] as const) {
          expect(
            relativeError(r[key][i] as number, want[key][i] as number),
            `${label} ${key}`,
          ).toBeLessThan(1e-9);
        }
        const lower = want.lower[i];
        const upper = want.upper[i];
        if (lower === null || upper === null || lower === undefined || upper === undefined) {
          // statsmodels has no interval for an empty cell (NaN here too) or for two constant arms.
          if (fixture.examples[i] === 0) expect(r.lower[i], label).toBeNaN();
          else expect([r.lower[i], r.upper[i]]).toEqual([r.delta[i], r.delta[i]]);
          continue;
        }
        // statsmodels takes the quantile from scipy's stdtrit, good to ~5e-9 relative.
        expect(Math.abs((r.lower[i] as number) - lower), `${label} lower`).toBeLessThan(1e-8);
        expect(Math.abs((r.upper[i] as number) - upper), `${label} upper`).toBeLessThan(1e-8);
      }
      for (const [correction, adjusted] of [
        ['holm', want.holm],
        ['bh', want.bh],
      ] as const) {
        const c = run(correction);
        c.pAdjusted.forEach((v, i) => {
          expect(relativeError(v, adjusted[i] as number), `${correction} cell ${i}`).toBeLessThan(
            1e-9,
          );
        });
      }
      expect(Array.from(worstCells(r))).toEqual(want.worst);
    });
  }
});
