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

  it('redacts a known folder whole, spaces and all, before other paths, longest first', () => {
    const known = [
      '/home/alice/.kdlens',
      '/home/alice/My Datasets',
      '/home/alice/.kdlens/data/My Set',
    ];
    expect(
      redactServerPaths('root /home/alice/My Datasets/cifar is empty', 'cifar100', known),
    ).toBe('root <cifar100> is empty');
    // Without the known folder the space ends the path: what the prefixes are for.
    expect(redactServerPaths('root /home/alice/My Datasets/cifar is empty', 'cifar100')).toBe(
      'root <cifar100> Datasets/cifar is empty',
    );
    expect(
      redactServerPaths(
        '/home/alice/.kdlens/data/My Set/f.bin:3: bad; /home/alice/My Datasets',
        'x',
        known,
      ),
    ).toBe('<x>:3: bad; <x>');
    // A sibling that shares a prefix is not a known folder: only the unknown-path rule applies.
    expect(redactServerPaths('/home/alice/My Datasets-old/a', 'x', known)).toBe(
      '<x> Datasets-old/a',
    );
    // The root folder is no prefix (it would swallow every path and ratio).
    expect(redactServerPaths('3/4 of /srv/x', 'x', ['/'])).toBe('3/4 of <x>');
  });

  it('redacts file:// URLs, a path right after a colon, and commas inside a path', () => {
    expect(redactServerPaths("weights 'file:///srv/secret/model.json' missing", 'w')).toBe(
      "weights '<w>' missing",
    );
    expect(redactServerPaths('dataset.root:/srv/x is outside', 'csv')).toBe(
      'dataset.root:<csv> is outside',
    );
    expect(redactServerPaths('/srv/a,b/c.bin: short read', 'x')).toBe('<x>: short read');
    expect(redactServerPaths('files /a/x.csv, /a/y.csv; done', 'x')).toBe('files <x>, <x>; done');
    expect(redactServerPaths('http://host/p and https://h:8080/q/r', 'x')).toBe(
      'http://host/p and https://h:8080/q/r',
    );
  });
});
