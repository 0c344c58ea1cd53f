import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { compareCodePoints, groupIndex, isGroupIndex } from './group-index.ts';

describe('groupIndex', () => {
  it('sorts small integers ascending (lookup-table path)', () => {
    const { groups, codes, counts } = groupIndex([3, 1, 3, 2, 1, 3]);
    expect(groups).toEqual([1, 2, 3]);
    expect(Array.from(codes)).toEqual([2, 0, 2, 1, 0, 2]);
    expect(Array.from(counts)).toEqual([2, 1, 3]);
  });

  it('sorts other numbers ascending (Map path), with 0 and -0 as one group', () => {
    const { groups, codes, counts } = groupIndex([2.5, -3, 1e6, 2.5, -0, 0]);
    expect(groups).toEqual([-3, 0, 2.5, 1e6]);
    expect(Array.from(codes)).toEqual([2, 0, 3, 2, 1, 1]);
    expect(Array.from(counts)).toEqual([1, 2, 2, 1]);
  });

  it('gives +0, not -0, as the group value on the table path', () => {
    expect(Object.is(groupIndex([-0, 1]).groups[0], 0)).toBe(true);
  });

  it('sorts strings by code point, as Python/pandas do', () => {
    // JavaScript's default sort puts U+1F600 (surrogates D83D DE00) before U+FF00.
    const s = ['\u{1F600}', 'b', '\uFF00', 'B', 'a', 'b'];
    expect([...new Set(s)].sort()).toEqual(['B', 'a', 'b', '\u{1F600}', '\uFF00']);
    const { groups, counts } = groupIndex(s);
    expect(groups).toEqual(['B', 'a', 'b', '\uFF00', '\u{1F600}']);
    expect(Array.from(counts)).toEqual([1, 1, 2, 1, 1]);
  });

  it('accepts typed arrays', () => {
    expect(groupIndex(Uint8Array.from([5, 5, 0])).groups).toEqual([0, 5]);
    expect(groupIndex(Int32Array.from([-2, 7, -2])).groups).toEqual([-2, 7]);
  });

  it('gives no groups for an empty input', () => {
    const { groups, codes, counts } = groupIndex([]);
    expect(groups).toEqual([]);
    expect(codes.length).toBe(0);
    expect(counts.length).toBe(0);
  });

  it('rejects mixed strings and numbers at the first odd one out', () => {
    expect(() => groupIndex(['a', 'b', 1])).toThrow(MetricsInputError);
    expect(() => groupIndex(['a', 'b', 1])).toThrow(
      /^sensitive\[2\]: 1 is a number but sensitive\[0\] is a string/,
    );
    expect(() => groupIndex([1, 2, '1'])).toThrow(/^sensitive\[2\]: '1' is a string/);
  });

  it('rejects NaN, naming the index', () => {
    expect(() => groupIndex([1, Number.NaN])).toThrow(/^sensitive\[1\]: NaN is not a group/);
    expect(() => groupIndex([0.5, 1, Number.NaN])).toThrow(/^sensitive\[2\]/);
  });

  it('rejects values that are neither strings nor numbers', () => {
    const bad = [true, false] as unknown as string[];
    expect(() => groupIndex(bad, 'gender')).toThrow(
      /^gender\[0\]: true is not a string or a number/,
    );
  });

  it('sends wide integer spans to the Map path, still sorted', () => {
    // span 70001 > max(1024, n): no lookup table
    const { groups, codes } = groupIndex([70000, 0, 70000, -1]);
    expect(groups).toEqual([-1, 0, 70000]);
    expect(Array.from(codes)).toEqual([2, 1, 2, 0]);
  });

  it('table and Map paths agree (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 50 }),
        (xs) => {
          const table = groupIndex(xs);
          // Non-integers force the Map path.
          const mapped = groupIndex(xs.map((x) => x + 0.5));
          expect(mapped.groups).toEqual(table.groups.map((g) => (g as number) + 0.5));
          expect(mapped.codes).toEqual(table.codes);
          expect(mapped.counts).toEqual(table.counts);
        },
      ),
    );
  });

  it('codes point at the row value and counts add up (property)', () => {
    const values = fc.oneof(
      fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 40 }),
      fc.array(fc.string({ maxLength: 3 }), { minLength: 1, maxLength: 40 }),
    );
    fc.assert(
      fc.property(values, (xs: (string | number)[]) => {
        const { groups, codes, counts } = groupIndex(xs);
        xs.forEach((x, i) => {
          const g = groups[codes[i] as number];
          expect(g === x || (g === 0 && x === 0)).toBe(true);
        });
        expect(counts.reduce((a, b) => a + b, 0)).toBe(xs.length);
        expect(new Set(groups).size).toBe(groups.length);
        for (let k = 1; k < groups.length; k++) {
          const a = groups[k - 1] as string | number;
          const b = groups[k] as string | number;
          const order =
            typeof a === 'number' ? a - (b as number) : compareCodePoints(a, b as string);
          expect(order).toBeLessThan(0);
        }
      }),
    );
  });
});

describe('compareCodePoints', () => {
  it('orders by code point, then by length', () => {
    expect(compareCodePoints('\uFF00', '\u{1F600}')).toBeLessThan(0);
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    expect(compareCodePoints('b', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('x', 'x')).toBe(0);
  });
});

describe('isGroupIndex', () => {
  it('tells a GroupIndex from a raw feature', () => {
    expect(isGroupIndex(groupIndex([1, 2]))).toBe(true);
    expect(isGroupIndex([1, 2])).toBe(false);
    expect(isGroupIndex(['codes'])).toBe(false);
  });
});
