import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classAccuracy } from '../accuracy/class-accuracy.ts';
import { classGroupCounts } from '../group/class-group-counts.ts';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { armClassGroupAccuracy } from './arm-class-group-accuracy.ts';
import { classGroupAccuracy } from './class-group-accuracy.ts';

describe('classGroupAccuracy', () => {
  it('is the per-class accuracy within each group (hand-computed)', () => {
    const yTrue = [0, 0, 1, 1, 2, 2, 0, 1];
    const yPred = [0, 1, 1, 1, 0, 2, 0, 2];
    const g = ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'a'];
    const m = classGroupAccuracy(classGroupCounts(yTrue, yPred, { g }, 4));
    expect(m.groups).toEqual([['a'], ['b']]);
    // (0,a) 2/2, (0,b) 0/1, (1,a) 1/2, (1,b) 1/1, (2,a) 0/1, (2,b) 1/1, class 3 absent
    expect(Array.from(m.accuracy)).toEqual([1, 0, 0.5, 1, 0, 1, Number.NaN, Number.NaN]);
    expect(Array.from(m.examples)).toEqual([2, 1, 2, 1, 1, 1, 0, 0]);
  });

  it('column g is classAccuracy of group g’s rows', () => {
    const rows = fc.array(
      fc.record({
        t: fc.integer({ min: 0, max: 4 }),
        p: fc.integer({ min: 0, max: 4 }),
        a: fc.integer({ min: 0, max: 1 }),
        b: fc.constantFrom('u', 'v', 'w'),
      }),
      { minLength: 1, maxLength: 80 },
    );
    fc.assert(
      fc.property(rows, (rs) => {
        const m = classGroupAccuracy(
          classGroupCounts(
            rs.map((r) => r.t),
            rs.map((r) => r.p),
            { a: rs.map((r) => r.a), b: rs.map((r) => r.b) },
            5,
          ),
        );
        const numGroups = m.groups.length;
        m.groups.forEach(([a, b], g) => {
          const mine = rs.filter((r) => r.a === a && r.b === b);
          const reference = classAccuracy(
            mine.map((r) => r.t),
            mine.map((r) => r.p),
            5,
          );
          for (let c = 0; c < 5; c++) {
            expect(m.accuracy[c * numGroups + g]).toBe(reference[c]);
          }
        });
      }),
    );
  });
});

describe('armClassGroupAccuracy', () => {
  const yTrue = [0, 0, 1, 1];
  const s = ['a', 'a', 'b', 'b'];
  const runs = [
    [0, 1, 1, 1], // (0,a) 1/2, (1,b) 1
    [0, 0, 1, 0], // (0,a) 1,   (1,b) 1/2
    [1, 1, 1, 1], // (0,a) 0,   (1,b) 1
  ].map((yPred) => classGroupCounts(yTrue, yPred, { s }, 2));

  it('gives each cell’s mean and sample sd over seeds', () => {
    const m = armClassGroupAccuracy(runs);
    expect(m.seeds).toBe(3);
    expect(Array.from(m.examples)).toEqual([2, 0, 0, 2]);
    // cells: (0,a), (0,b) empty, (1,a) empty, (1,b)
    expect(m.mean[0]).toBeCloseTo(0.5, 15);
    expect(m.sd[0]).toBeCloseTo(0.5, 15); // {0.5, 1, 0}: deviations 0, .5, −.5 → √(0.5/2)
    expect(m.mean[3]).toBeCloseTo(5 / 6, 15);
    expect(m.sd[3]).toBeCloseTo(Math.sqrt(((1 / 6) ** 2 * 2 + (1 / 3) ** 2) / 2), 15);
    expect(m.mean[1]).toBeNaN();
    expect(m.sd[2]).toBeNaN();
  });

  it('has no sd with one seed, and refuses runs of other test sets', () => {
    const one = armClassGroupAccuracy(runs.slice(0, 1));
    expect(one.mean[0]).toBe(0.5);
    expect(one.sd[0]).toBeNaN();
    expect(() => armClassGroupAccuracy([])).toThrow(new MetricsInputError('runs', 'is empty'));
    const other = classGroupCounts([0, 1, 1, 1], [0, 1, 1, 1], { s }, 2);
    expect(() => armClassGroupAccuracy([runs[0], other].flatMap((r) => (r ? [r] : [])))).toThrow(
      'runs[1]: has other rows per (class, group) than the first run',
    );
  });
});
