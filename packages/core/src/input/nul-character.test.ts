import { describe, expect, it } from 'vitest';
import { findNulCharacter, nulLine } from './nul-character.ts';

describe('findNulCharacter', () => {
  it('gives the path of the first string or key holding U+0000', () => {
    expect(findNulCharacter({ a: ['ok', { b: 'x\u0000y' }] })).toEqual(['a', 1, 'b']);
    expect(findNulCharacter({ ok: 1, 'k\u0000': 2 })).toEqual(['k\u0000']);
    expect(findNulCharacter('\u0000')).toEqual([]);
    expect(findNulCharacter({ a: ['\\u0000 is six characters', null, 3, true] })).toBeNull();
  });

  it('walks 200,000 levels and circular values without recursion', () => {
    let deep: unknown = 'end\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findNulCharacter(deep)).toHaveLength(200_000);
    const loop: Record<string, unknown> = { name: 'x' };
    loop.self = loop;
    expect(findNulCharacter(loop)).toBeNull();
  });
});

describe('nulLine', () => {
  it('counts lines up to the first NUL', () => {
    expect(nulLine('id,label\na,0\nb\u0000,1\n')).toBe(3);
    expect(nulLine('\u0000')).toBe(1);
    expect(nulLine('clean\n')).toBeNull();
  });
});
