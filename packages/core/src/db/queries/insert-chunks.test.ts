import { describe, expect, it } from 'vitest';
import { insertChunks, MAX_BIND_PARAMETERS, parametersPerRow } from './insert-chunks.ts';

describe('insertChunks', () => {
  it('keeps every chunk under the parameter budget and loses no row', () => {
    const rows = Array.from({ length: 20_001 }, (_, i) => i);
    // 5 parameters a row (a run: experiment, role, temperature, seed, architecture): 6,000 a chunk.
    const chunks = insertChunks(rows, 5);
    expect(chunks.map((c) => c.length)).toEqual([6_000, 6_000, 6_000, 2_001]);
    expect(chunks.flat()).toEqual(rows);
    for (const c of chunks) expect(c.length * 5).toBeLessThanOrEqual(MAX_BIND_PARAMETERS);
  });

  it('never exceeds the protocol limit, even when asked to', () => {
    const chunks = insertChunks([1, 2, 3, 4], 30_000, 1_000_000);
    expect(chunks).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('sends a row too wide for any chunk on its own, and nothing for no rows', () => {
    expect(insertChunks(['a', 'b'], 70_000)).toEqual([['a'], ['b']]);
    expect(insertChunks([], 3)).toEqual([]);
  });

  it('counts one parameter per column given', () => {
    expect(parametersPerRow({ a: 1, b: null, c: 'x' })).toBe(3);
    expect(parametersPerRow(undefined)).toBe(1);
  });
});
