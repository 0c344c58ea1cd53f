/**
 * Recursive parsers and serialisers (yaml's composer, JSON.stringify, Array#toString) overflow
 * the stack on input nested a few thousand levels deep, and a 1 MB request holds 500,000
 * levels. This scan is linear and iterative, so it can run on any text before they see it.
 */

/** JSON: `"` strings with backslash escapes. YAML adds `'` strings ('' escapes) and # comments. */
export type BracketSyntax = 'json' | 'yaml';

/** Where a text first nests deeper than allowed: 0-based offset of the opening bracket. */
export interface ExcessNesting {
  offset: number;
  /** 1-based line and column of that bracket. */
  line: number;
  column: number;
}

/**
 * The first `[` or `{` that opens level `max + 1`, or null when the text stays within `max`.
 * Brackets inside strings and YAML comments do not count. For YAML this counts flow nesting
 * only; block nesting costs a line per level, so the text's size bounds it (parse-spec.ts
 * checks the parsed tree as well).
 */
export function findExcessNesting(
  text: string,
  max: number,
  syntax: BracketSyntax,
): ExcessNesting | null {
  const yaml = syntax === 'yaml';
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 10 /* \n */) {
      line++;
      lineStart = i + 1;
      i++;
      continue;
    }
    if (ch === 91 /* [ */ || ch === 123 /* { */) {
      depth++;
      if (depth > max) return { offset: i, line, column: i - lineStart + 1 };
      i++;
      continue;
    }
    if (ch === 93 /* ] */ || ch === 125 /* } */) {
      if (depth > 0) depth--;
      i++;
      continue;
    }
    const startsScalar = !yaml || i === lineStart || /[\s[{,:]/.test(text[i - 1] ?? '');
    if (ch === 34 /* " */ && startsScalar) {
      // Skip to the closing quote; a backslash escapes the next character (line breaks counted).
      i++;
      while (i < n && text.charCodeAt(i) !== 34) {
        if (text.charCodeAt(i) === 92 /* \ */) i++;
        if (text.charCodeAt(i) === 10) {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      i++;
      continue;
    }
    if (yaml && ch === 39 /* ' */ && startsScalar) {
      i++;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 39) {
          if (text.charCodeAt(i + 1) === 39) {
            i += 2;
            continue;
          }
          break;
        }
        if (c === 10) {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      i++;
      continue;
    }
    if (yaml && ch === 35 /* # */ && (i === lineStart || /\s/.test(text[i - 1] ?? ''))) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    i++;
  }
  return null;
}
