import { describe, expect, it } from 'vitest';
import { csvCell } from './csv-cell.ts';

describe('csvCell', () => {
  it('prefixes strings a spreadsheet would evaluate with a single quote (OWASP)', () => {
    // Expected fields written out by hand: quote first, then RFC 4180 quoting of the result.
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+1-1')).toBe("'+1-1");
    expect(csvCell('-1+1')).toBe("'-1+1");
    expect(csvCell('@SUM(A1:A2)')).toBe("'@SUM(A1:A2)");
    expect(csvCell('\t=1')).toBe(`"'\t=1"`);
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    // A string that looks like a negative number is still a string: it could be `-1+cmd|…`.
    expect(csvCell('-0.5')).toBe("'-0.5");
  });

  it('leaves ordinary text alone and quotes only what RFC 4180 needs', () => {
    expect(csvCell('circle')).toBe('circle');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(' =1')).toBe(' =1');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    // A `;` list separator (many European locales) would otherwise split off `=cmd…` as a cell.
    expect(csvCell("a;=cmd|'/C calc'!A0")).toBe(`"a;=cmd|'/C calc'!A0"`);
    expect(csvCell('a\tb')).toBe('"a\tb"');
    expect(csvCell('')).toBe('');
  });

  it('keeps numbers numeric, negative ones included', () => {
    expect(csvCell(-0.5)).toBe('-0.5');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(0.125)).toBe('0.125');
    expect(csvCell(1e-7)).toBe('1e-7');
    expect(csvCell(true)).toBe('true');
  });

  it('writes missing and non-finite values as empty fields', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(Number.POSITIVE_INFINITY)).toBe('');
  });
});
