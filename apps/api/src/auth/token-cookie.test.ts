import { describe, expect, it } from 'vitest';
import { cookieValue, downloadAuthorization } from './token-cookie.ts';

describe('cookieValue', () => {
  it('finds one cookie among others, decoded; undefined when absent or empty', () => {
    expect(cookieValue('a=1; kdlens_token=kdl_abc%2Bd; b=2', 'kdlens_token')).toBe('kdl_abc+d');
    expect(cookieValue('xkdlens_token=1', 'kdlens_token')).toBeUndefined();
    expect(cookieValue('kdlens_token=', 'kdlens_token')).toBeUndefined();
    expect(cookieValue(undefined, 'kdlens_token')).toBeUndefined();
  });
});

describe('downloadAuthorization', () => {
  it('takes the Authorization header over the sign-in cookie', () => {
    expect(
      downloadAuthorization({
        authorization: 'Bearer kdl_header',
        cookie: 'kdlens_token=kdl_cookie',
      }),
    ).toBe('Bearer kdl_header');
    expect(downloadAuthorization({ cookie: 'kdlens_token=kdl_cookie' })).toBe('Bearer kdl_cookie');
    expect(downloadAuthorization({ authorization: ' ', cookie: 'other=1' })).toBeUndefined();
  });
});
