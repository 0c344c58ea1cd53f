import { describe, expect, it } from 'vitest';
import { nullsLast } from './table-sort.ts';

interface Row {
  i: number;
  v: number | string | null;
}
const rows: Row[] = [
  { i: 0, v: 3 },
  { i: 1, v: null },
  { i: 2, v: -1 },
  { i: 3, v: 3 },
  { i: 4, v: null },
];
const order = (r: readonly Row[]) => r.map((x) => x.i);

describe('nullsLast', () => {
  it('sorts numbers both ways with missing values last and ties in row order', () => {
    const by = (d: 'asc' | 'desc') =>
      order(
        [...rows].sort(
          nullsLast(
            (r) => r.v,
            d,
            (r) => r.i,
          ),
        ),
      );
    expect(by('asc')).toEqual([2, 0, 3, 1, 4]);
    expect(by('desc')).toEqual([0, 3, 2, 1, 4]);
  });

  it('sorts text by locale order', () => {
    const text: Row[] = [
      { i: 0, v: 'b' },
      { i: 1, v: 'a' },
      { i: 2, v: null },
      { i: 3, v: 'c' },
    ];
    const sorted = [...text].sort(
      nullsLast(
        (r) => r.v,
        'desc',
        (r) => r.i,
      ),
    );
    expect(order(sorted)).toEqual([3, 0, 1, 2]);
  });
});
