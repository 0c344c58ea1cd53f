import { describe, expect, it } from 'vitest';
import { findExcessNesting } from './nesting-depth.ts';

describe('findExcessNesting', () => {
  it('finds the bracket that opens one level too many, with its line and column', () => {
    // Depth of each bracket counted by hand: { 1, [ 2, { 3, [ 4.
    const text = '{"a": [\n  {"b": [1]}]}';
    expect(findExcessNesting(text, 4, 'json')).toBeNull();
    expect(findExcessNesting(text, 3, 'json')).toEqual({ offset: 16, line: 2, column: 9 });
    expect(text[16]).toBe('[');
  });

  it('ignores brackets in strings, escaped quotes included', () => {
    expect(findExcessNesting('["[[[[", "\\"[[[["]', 1, 'json')).toBeNull();
    expect(findExcessNesting('["\\\\", [1]]', 1, 'json')?.offset).toBe(7);
  });

  it("reads YAML quoting ('' escapes) and comments, but not a quote inside a plain word", () => {
    expect(findExcessNesting("a: '[[it''s]]'\nb: [1] # [[[\n", 1, 'yaml')).toBeNull();
    // An apostrophe inside a word starts no string: the brackets after it count.
    expect(findExcessNesting("a: teacher's [[x]]", 1, 'yaml')?.column).toBe(15);
    // In JSON a # is just a character.
    expect(findExcessNesting('["#", [[1]]]', 2, 'json')?.column).toBe(8);
  });

  it('scans 200,000 levels without recursion', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(findExcessNesting(deep, 64, 'json')).toEqual({ offset: 64, line: 1, column: 65 });
    expect(findExcessNesting(deep, 64, 'yaml')?.offset).toBe(64);
  });
});
