import { describe, expect, it } from 'vitest';
import { Lexer } from 'yaml';
import { findExcessNesting } from './nesting-depth.ts';

/** Flow nesting as the yaml package's own lexer reads it: an independent count. */
function lexerDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') deepest = Math.max(deepest, ++depth);
    if (token === ']' || token === '}') depth--;
  }
  return deepest;
}

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

  it('takes a YAML quote for a string only where a scalar can start', () => {
    // The review's exploit: `a "x` is a plain scalar, so the brackets below are a collection.
    const exploit = `description: a "x\nb: ${'['.repeat(300_000)}${']'.repeat(300_000)}\n`;
    const started = performance.now();
    expect(findExcessNesting(exploit, 64, 'yaml')).toEqual({ offset: 85, line: 2, column: 68 });
    expect(performance.now() - started).toBeLessThan(1000);
    // Each case: flow depth as yaml's lexer sees it, which the scan must never undercount.
    const cases = [
      "description: it's [a] test\nb: [[1]]\n",
      'description: a "x\nb: [[[1]]]\n',
      "description: a 'x\nb: [[[1]]]\n",
      'description: a, "x\nb: [[1]]\n',
      'description: a [ "x\nb: [[1]]\n',
      'x: foo\n  "k\nb: [[1]]\n',
      'x: foo\n  bar\n  "k\nb: [[1]]\n',
      'x: foo\n"k: ": [[1]]\n',
      "\"quoted [[[ key\": [1]\n'it''s [[': 2\n",
      'a: ["]]]", \'[[[\', {"k": "}}"}]\n',
      '{"a":"[[[","b":[["]"]]}\n',
      'a: 1 # "quote in a comment\nb: [[1]]\n# it\'s [[[ all comment\n',
      'a: |\n  He said "hi\nb: [[1]]\n',
      'a: !!str "x: "\nb: [[1]]\n',
      'a: &x "[[["\nb: *x\n',
      '--- "[[["\n',
      '- - - [1]\n',
      '? - [[1]]\n',
      'seeds: [0, 1, 2]\nkd: {temperatures: [1, 2, 4], alpha: 0.5}\n',
    ];
    for (const text of cases) {
      const depth = lexerDepth(text);
      expect(findExcessNesting(text, depth + 3, 'yaml'), text).toBeNull();
      if (depth > 0) expect(findExcessNesting(text, depth - 1, 'yaml'), text).not.toBeNull();
    }
  });

  it('counts compact block indicators on one line (`- - - x`), two characters a level', () => {
    expect(findExcessNesting('- - [1]\n', 3, 'yaml')).toBeNull();
    expect(findExcessNesting('- - [1]\n', 2, 'yaml')).toEqual({ offset: 4, line: 1, column: 5 });
    expect(findExcessNesting('? '.repeat(100_000), 64, 'yaml')?.offset).toBe(128);
    // A dash inside a word or a number is text.
    expect(findExcessNesting('a: x - y -1\n', 0, 'yaml')).toBeNull();
  });

  it('scans 200,000 levels without recursion', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(findExcessNesting(deep, 64, 'json')).toEqual({ offset: 64, line: 1, column: 65 });
    expect(findExcessNesting(deep, 64, 'yaml')?.offset).toBe(64);
  });
});
