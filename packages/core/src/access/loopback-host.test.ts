import { expect, it } from 'vitest';
import { isLoopbackHost } from './loopback-host.ts';

it('takes loopback names, with or without a port, in any case', () => {
  for (const host of [
    'localhost',
    'localhost:3000',
    'LOCALHOST:3000',
    '127.0.0.1',
    '127.0.0.1:4000',
    '127.255.10.3:1',
    '[::1]',
    '[::1]:3000',
  ]) {
    expect(isLoopbackHost(host), host).toBe(true);
  }
});

it('refuses every other host, and spellings no browser sends', () => {
  for (const host of [
    undefined,
    null,
    '',
    'attacker.example',
    'attacker.example:3000',
    // Names an attacker's DNS answers, dressed as loopback.
    '127.0.0.1.attacker.example',
    'localhost.attacker.example',
    'localhost.attacker.example:3000',
    '127.0.0.1.nip.io',
    // Resolver-dependent: refused rather than trusted.
    'app.localhost',
    'localhost.',
    '127.0.0.1.',
    // Other spellings of 127.0.0.1 (a browser would have rewritten them).
    '0x7f.1',
    '0x7f000001',
    '2130706433',
    '127.1',
    '127.0.0.01',
    '127.0.0.256',
    // Not loopback, or not a Host header at all.
    '128.0.0.1',
    '0.0.0.0',
    '10.0.0.5:3000',
    '[::]',
    '[::ffff:127.0.0.1]',
    '::1',
    '[::1',
    'user@localhost',
    'localhost:',
    'localhost:99999',
    'localhost:3000:3000',
    'localhost, attacker.example',
    ' localhost',
  ]) {
    expect(isLoopbackHost(host), String(host)).toBe(false);
  }
});
