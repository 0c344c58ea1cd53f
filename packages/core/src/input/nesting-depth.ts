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

const isBlank = (c: number) => c === 32 || c === 9 || c === 13;
const endsToken = (c: number) => Number.isNaN(c) || c === 10 || isBlank(c);

/**
 * The first `[` or `{` that opens level `max + 1`, or null when the text stays within `max`.
 * Brackets inside strings and YAML comments do not count. For YAML this counts flow nesting
 * plus the compact block indicators of one line (`- - - x`, `? ? x`: two characters a level);
 * block nesting over lines costs a growing indent per level, so the text's size bounds it
 * (parse-spec.ts checks the parsed tree as well).
 *
 * YAML quotes are strings only where a scalar can start: at a line's indent, after `: `, `- `,
 * `? `, and in flow after `[`, `{`, `,`. Inside a plain scalar (`description: it's "x`), and on
 * the more-indented lines that continue one, a quote is text; taking it for a string would skip
 * up to the next quote and hide the brackets between from the count.
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
  // YAML only: real flow depth (brackets that YAML reads as collections), compact block
  // indicators on this line, whether a scalar may start here, whether the last token was a
  // quoted scalar or a closed collection (`{"a":"b"}`), and the indent of an open plain scalar.
  let flow = 0;
  let blockOnLine = 0;
  let scalarStart = true;
  let afterQuoted = false;
  let plainIndent = -1;
  let lineIndent = 0;
  let lineHasPlain = false;
  const newLine = (at: number) => {
    line++;
    lineStart = at + 1;
    if (!yaml) return;
    if (lineHasPlain && plainIndent < 0) plainIndent = lineIndent;
    let k = lineStart;
    while (k < n && isBlank(text.charCodeAt(k))) k++;
    const blankLine = k >= n || text.charCodeAt(k) === 10;
    lineIndent = k - lineStart;
    // A more-indented line (any line in flow) after a plain scalar continues it.
    const continues = plainIndent >= 0 && (blankLine || flow > 0 || lineIndent > plainIndent);
    if (!continues) plainIndent = -1;
    scalarStart = !continues;
    lineHasPlain = continues && !blankLine;
    afterQuoted = false;
    blockOnLine = 0;
  };
  // Moves `i` past the string that opens at it, counting its line breaks. In "…" a backslash
  // escapes the next character; in YAML's '…' a doubled quote is a quote.
  const skipQuoted = (quote: number) => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === quote) {
        if (quote === 39 && text.charCodeAt(i + 1) === 39) {
          i += 2;
          continue;
        }
        break;
      }
      if (quote === 34 && c === 92 /* \ */) i++;
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
      i++;
    }
    i++;
  };
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 10 /* \n */) {
      newLine(i);
      i++;
      continue;
    }
    if (yaml && isBlank(ch)) {
      i++;
      continue;
    }
    if (ch === 91 /* [ */ || ch === 123 /* { */) {
      depth++;
      if (yaml) {
        if (scalarStart || flow > 0) {
          flow++;
          scalarStart = true;
          lineHasPlain = false;
        } else lineHasPlain = true;
        afterQuoted = false;
      }
      if (depth + blockOnLine > max) return { offset: i, line, column: i - lineStart + 1 };
      i++;
      continue;
    }
    if (ch === 93 /* ] */ || ch === 125 /* } */) {
      if (depth > 0) depth--;
      if (yaml) {
        if (flow > 0) {
          flow--;
          scalarStart = false;
          afterQuoted = true;
          lineHasPlain = false;
        } else {
          scalarStart = false;
          lineHasPlain = true;
        }
      }
      i++;
      continue;
    }
    if (
      (ch === 34 /* " */ && (!yaml || scalarStart)) ||
      (ch === 39 /* ' */ && yaml && scalarStart)
    ) {
      skipQuoted(ch);
      scalarStart = false;
      afterQuoted = true;
      lineHasPlain = false;
      continue;
    }
    if (!yaml) {
      i++;
      continue;
    }
    const prev = text.charCodeAt(i - 1);
    if (ch === 35 /* # */ && (i === lineStart || isBlank(prev))) {
      // A comment ends a plain scalar; the next line starts afresh.
      plainIndent = -1;
      lineHasPlain = false;
      while (i < n && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    const next = text.charCodeAt(i + 1);
    if ((ch === 38 /* & */ || ch === 33) /* ! */ && scalarStart) {
      // An anchor or a tag precedes a node: a scalar may still start after it.
      while (i < n && !endsToken(text.charCodeAt(i))) i++;
      continue;
    }
    if (i === lineStart && /^(---|\.\.\.)(\s|$)/.test(text.slice(i, i + 4))) {
      // A document marker: a scalar may follow on its line.
      scalarStart = true;
      i += 3;
      continue;
    }
    if ((ch === 45 /* - */ || ch === 63) /* ? */ && scalarStart && endsToken(next)) {
      blockOnLine++;
      if (depth + blockOnLine > max) return { offset: i, line, column: i - lineStart + 1 };
      i++;
      continue;
    }
    if (ch === 58 /* : */ && (endsToken(next) || (flow > 0 && afterQuoted))) {
      scalarStart = true;
      afterQuoted = false;
      lineHasPlain = false;
      i++;
      continue;
    }
    if (ch === 44 /* , */ && flow > 0) {
      scalarStart = true;
      afterQuoted = false;
      lineHasPlain = false;
      i++;
      continue;
    }
    // Plain text: a quote from here to the end of the scalar is an ordinary character.
    scalarStart = false;
    afterQuoted = false;
    lineHasPlain = true;
    i++;
  }
  return null;
}
