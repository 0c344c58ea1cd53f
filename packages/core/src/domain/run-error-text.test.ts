import { describe, expect, it } from 'vitest';
import { MAX_RUN_ERROR_LENGTH, redactServerPaths, sanitizeRunError } from './run-error-text.ts';

describe('sanitizeRunError', () => {
  it('drops NUL and other control characters, keeps tabs and line breaks', () => {
    expect(sanitizeRunError('no column "a\u0000b"\r\nline\t2\u001b[31m\u0085')).toBe(
      'no column "ab"\nline\t2[31m',
    );
  });

  it('drops lone surrogates but keeps pairs', () => {
    expect(sanitizeRunError('a\ud800b\udc00c 😀')).toBe('abc 😀');
  });

  it('never stores an empty error', () => {
    expect(sanitizeRunError('\u0000 \n')).toBe('failed (no error message)');
  });

  it('caps the length and says it cut', () => {
    const long = `${'x'.repeat(10_000)}`;
    const stored = sanitizeRunError(long);
    expect(stored.length).toBeLessThanOrEqual(MAX_RUN_ERROR_LENGTH);
    expect(stored).toMatch(/^x+ … \(cut: the error had 10000 characters\)$/);
    // A cut through an emoji does not leave half of it.
    const emoji = sanitizeRunError('😀'.repeat(3000));
    expect(emoji.length).toBeLessThanOrEqual(MAX_RUN_ERROR_LENGTH);
    expect(emoji).toMatch(/^(😀)+ … \(cut/u);
  });
});

describe('redactServerPaths', () => {
  it('replaces absolute paths, keeping line numbers, URLs, ratios and prose', () => {
    expect(
      redactServerPaths(
        'dataset.root: cannot load csv: /srv/data/x.csv:3: column 2 ("label") is empty',
        'csv',
      ),
    ).toBe('dataset.root: cannot load csv: <csv>:3: column 2 ("label") is empty');
    expect(redactServerPaths("ENOENT: open '/etc/passwd'", 'csv')).toBe("ENOENT: open '<csv>'");
    expect(redactServerPaths('see http://host/a/b, 3/4 done, teacher/student, a / b', 'x')).toBe(
      'see http://host/a/b, 3/4 done, teacher/student, a / b',
    );
  });
});
