import { expect, it } from 'vitest';
import { callerKey, LOOPBACK_CALLER } from './caller-key.ts';

it('counts every loopback address as one caller, with 4 times the budget where anonymous read is on', () => {
  for (const address of [
    '127.0.0.1',
    '127.9.9.9',
    '127.255.255.254',
    '::1',
    '::ffff:127.0.0.1',
    '::FFFF:127.9.9.10',
  ]) {
    expect(callerKey(null, address, true)).toEqual({
      key: LOOPBACK_CALLER,
      budget: {
        share: 4,
        source: '4 × KDLENS_API_MAX_CONCURRENT, shared by all anonymous clients on this machine',
      },
    });
    expect(callerKey(null, address, false).budget.share).toBe(1);
  }
});

it('keys other addresses by address, IPv4-mapped ones as IPv4, and tokens by token', () => {
  expect(callerKey(null, '10.1.2.3', true).key).toBe('address:10.1.2.3');
  expect(callerKey(null, '::ffff:10.1.2.3', true).key).toBe('address:10.1.2.3');
  expect(callerKey(null, '2001:DB8::1', true).key).toBe('address:2001:db8::1');
  expect(callerKey(null, '128.0.0.1', true).key).toBe('address:128.0.0.1');
  expect(callerKey(null, undefined, true).key).toBe('address:unknown');
  const token = { tokenId: 't1', name: 'n', role: 'viewer' as const };
  expect(callerKey(token, '127.0.0.1', true)).toEqual({
    key: 'token:t1',
    budget: { share: 1, source: 'KDLENS_API_MAX_CONCURRENT' },
  });
});
