import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { groupIndex } from './group-index.ts';
import { intersectionIndex, MAX_INTERSECTION_GROUPS } from './intersection-index.ts';

describe('intersectionIndex', () => {
  it('lists every combination in MultiIndex order, empty ones with count 0', () => {
    // sex ∈ {F, M}, age ∈ {0, 1, 2}; (M, 2) never occurs.
    const sex = ['M', 'F', 'F', 'M', 'F', 'M'];
    const age = [1, 0, 2, 0, 2, 1];
    const index = intersectionIndex({ sex, age });
    expect(index.attributes).toEqual(['sex', 'age']);
    expect(index.groups).toEqual([
      ['F', 0],
      ['F', 1],
      ['F', 2],
      ['M', 0],
      ['M', 1],
      ['M', 2],
    ]);
    // code = sexCode · 3 + ageCode
    expect(Array.from(index.codes)).toEqual([4, 0, 2, 3, 2, 4]);
    expect(Array.from(index.counts)).toEqual([1, 0, 2, 1, 2, 0]);
  });

  it('follows the order of `attributes`, not of the object', () => {
    const index = intersectionIndex({ sex: ['M', 'F'], age: [1, 0] }, ['age', 'sex']);
    expect(index.attributes).toEqual(['age', 'sex']);
    expect(index.groups).toEqual([
      [0, 'F'],
      [0, 'M'],
      [1, 'F'],
      [1, 'M'],
    ]);
    expect(Array.from(index.codes)).toEqual([3, 0]);
  });

  it('with one attribute is groupIndex with 1-tuples', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('x', 'y', 'é', 'B', '\u{1F600}'), { minLength: 1 }),
        (s) => {
          const one = intersectionIndex({ s });
          const index = groupIndex(s);
          expect(one.groups).toEqual(index.groups.map((g) => [g]));
          expect(one.codes).toEqual(index.codes);
          expect(one.counts).toEqual(index.counts);
        },
      ),
    );
  });

  it('codes decode to each row’s values, and counts add up', () => {
    const row = fc.record({
      a: fc.integer({ min: -2, max: 2 }),
      b: fc.constantFrom('p', 'q'),
      c: fc.constantFrom(0.5, 7, 1e6),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 80 }), (rows) => {
        const sensitive = {
          a: rows.map((r) => r.a),
          b: rows.map((r) => r.b),
          c: rows.map((r) => r.c),
        };
        const index = intersectionIndex(sensitive);
        rows.forEach((r, i) => {
          expect(index.groups[index.codes[i] as number]).toEqual([r.a, r.b, r.c]);
        });
        const total = index.counts.reduce((s, v) => s + v, 0);
        expect(total).toBe(rows.length);
        expect(index.groups.length).toBe(
          new Set(sensitive.a).size * new Set(sensitive.b).size * new Set(sensitive.c).size,
        );
      }),
    );
  });

  it('names the attribute at fault', () => {
    expect(() => intersectionIndex({ a: [1] }, [])).toThrow(
      new MetricsInputError('attributes', 'name at least one sensitive attribute'),
    );
    expect(() => intersectionIndex({ a: [1] }, ['a', 'b'])).toThrow(
      "attributes: 'b' is not a sensitive attribute here; there are 'a'",
    );
    expect(() => intersectionIndex({ a: [1] }, ['a', 'a'])).toThrow(
      "attributes: 'a' is named twice",
    );
    expect(() => intersectionIndex({ a: [1, 2], b: [1] })).toThrow(
      'sensitive.b: has 1 elements but sensitive.a has 2; they must line up',
    );
    expect(() => intersectionIndex({ a: [1, 2], b: ['x', 2] })).toThrow('sensitive.b[1]');
    expect(() => intersectionIndex({ toString: [1] }, ['constructor'])).toThrow(
      "'constructor' is not a sensitive attribute here",
    );
  });

  it(`refuses more than ${MAX_INTERSECTION_GROUPS} groups`, () => {
    const n = 5000;
    const id = Array.from({ length: n }, (_, i) => i);
    const two = id.map((i) => i % 2);
    expect(() => intersectionIndex({ id, two })).toThrow(
      `attributes: id × two has 5000 × 2 = 10000 groups, more than ${MAX_INTERSECTION_GROUPS}`,
    );
  });
});
