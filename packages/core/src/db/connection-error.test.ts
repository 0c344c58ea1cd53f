import { describe, expect, it } from 'vitest';
import { connectionError, redactUrl } from './connection-error.ts';

const url = 'postgres://alice:s3cret@db.example:6432/study';

describe('connectionError', () => {
  it.each([
    ['ECONNREFUSED', /at db\.example:6432: connection refused .*Check DATABASE_URL/],
    ['ENOTFOUND', /host "db\.example" not found\. Check DATABASE_URL\./],
    ['28P01', /refused user "alice": wrong password or no access/],
    ['3D000', /has no database "study": create it \(createdb study\)/],
  ])('%s says what to fix, without the password', (code, expected) => {
    const error = connectionError(Object.assign(new Error('x'), { code }), url, 'DATABASE_URL');
    expect(error.message).toMatch(expected);
    expect(error.message).not.toContain('s3cret');
  });

  it('redacts passwords', () => {
    expect(redactUrl(url)).toBe('postgres://alice:***@db.example:6432/study');
  });
});
