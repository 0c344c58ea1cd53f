'use client';

import { useMemo, useState } from 'react';
import type { SortDirection } from '@/components/sortable-header.tsx';

type SortValue = number | string | null;

/**
 * A comparator for one column: numbers and text in the chosen direction, missing values
 * (null) last whatever the direction so they never hide the real ones, and ties in the rows'
 * own order (`position`), so a sort is stable and the same on every render.
 */
export function nullsLast<T>(
  value: (row: T) => SortValue,
  direction: SortDirection,
  position: (row: T) => number,
): (a: T, b: T) => number {
  const sign = direction === 'asc' ? 1 : -1;
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) {
      return x === y ? position(a) - position(b) : x === null ? 1 : -1;
    }
    const order =
      typeof x === 'string' || typeof y === 'string' ? String(x).localeCompare(String(y)) : x - y;
    return sign * order || position(a) - position(b);
  };
}

/**
 * A table sorted in the page by one column at a time: clicking the sorting column flips its
 * direction, clicking another starts it in `firstDirection(key)`.
 */
export function useTableSort<T, K extends string>(
  rows: readonly T[],
  options: {
    initialKey: K;
    initialDirection: SortDirection;
    firstDirection: (key: K) => SortDirection;
    value: (row: T, key: K) => SortValue;
    position: (row: T) => number;
  },
): {
  sorted: T[];
  sortKey: K;
  direction: SortDirection;
  sortBy: (key: K) => void;
} {
  const { value, position, firstDirection } = options;
  const [sortKey, setSortKey] = useState<K>(options.initialKey);
  const [direction, setDirection] = useState<SortDirection>(options.initialDirection);
  const sorted = useMemo(
    () => [...rows].sort(nullsLast((row: T) => value(row, sortKey), direction, position)),
    [rows, sortKey, direction, value, position],
  );
  const sortBy = (key: K) => {
    if (key === sortKey) setDirection((d) => (d === 'asc' ? 'desc' : 'asc'));
    else {
      setSortKey(key);
      setDirection(firstDirection(key));
    }
  };
  return { sorted, sortKey, direction, sortBy };
}
