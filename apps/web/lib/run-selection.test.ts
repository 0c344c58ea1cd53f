import { describe, expect, it } from 'vitest';
import {
  MAX_COMPARED_RUNS,
  parseRunSelection,
  selectionParam,
  toggleRun,
} from './run-selection.ts';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('run selection in the URL', () => {
  it('keeps UUIDs in order, once each, lower-cased, and drops anything else', () => {
    const text = [id(2), 'drop table', id(1).toUpperCase(), id(2), '', id(3)].join(',');
    expect(parseRunSelection(text)).toEqual([id(2), id(1), id(3)]);
    expect(parseRunSelection(undefined)).toEqual([]);
    expect(parseRunSelection('')).toEqual([]);
  });

  it('stops at the cap, also for a huge value', () => {
    const many = Array.from({ length: 30 }, (_, i) => id(i)).join(',');
    expect(parseRunSelection(many)).toEqual(Array.from({ length: 24 }, (_, i) => id(i)));
    expect(MAX_COMPARED_RUNS).toBe(24);
    expect(parseRunSelection(`${id(1)},${'x'.repeat(1_000_000)}`)).toEqual([id(1)]);
  });

  it('ticks, unticks and writes the parameter back', () => {
    const one = toggleRun([], id(1), true);
    const two = toggleRun(one, id(2), true);
    expect(two).toEqual([id(1), id(2)]);
    expect(toggleRun(two, id(2), true)).toEqual(two);
    expect(toggleRun(two, id(1), false)).toEqual([id(2)]);
    expect(selectionParam(two)).toBe(`${id(1)},${id(2)}`);
    expect(selectionParam([])).toBeUndefined();
    const full = Array.from({ length: 24 }, (_, i) => id(i));
    expect(toggleRun(full, id(99), true)).toEqual(full);
  });
});
