import { describe, expect, it } from 'vitest';
import { anonymousReadDecision, isLoopbackBind } from './anonymous-read.ts';

describe('isLoopbackBind', () => {
  it('takes loopback names and addresses only', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', 'LOCALHOST', '::1', '[::1]']) {
      expect(isLoopbackBind(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '[::]', '10.213.0.1', '192.168.1.5', 'kdlens.example']) {
      expect(isLoopbackBind(host), host).toBe(false);
    }
  });
});

describe('anonymousReadDecision', () => {
  const loop = { apiHost: '127.0.0.1', webHost: '127.0.0.1' };

  it('lets the loopback demo read without tokens by default, and KDLENS_ALLOW_ANONYMOUS_READ=0 turns that off', () => {
    expect(anonymousReadDecision({ ...loop, requested: undefined, byDefault: true })).toEqual({
      anonymousRead: true,
    });
    expect(anonymousReadDecision({ ...loop, requested: false, byDefault: true })).toEqual({
      anonymousRead: false,
    });
  });

  it('keeps `kdlens serve` signed-in only unless asked, on loopback', () => {
    expect(anonymousReadDecision({ ...loop, requested: undefined, byDefault: false })).toEqual({
      anonymousRead: false,
    });
    expect(anonymousReadDecision({ ...loop, requested: true, byDefault: false })).toEqual({
      anonymousRead: true,
    });
  });

  it('turns the demo default off when the web app listens off loopback, without a complaint', () => {
    expect(
      anonymousReadDecision({
        apiHost: '127.0.0.1',
        webHost: '0.0.0.0',
        requested: undefined,
        byDefault: true,
      }),
    ).toEqual({ anonymousRead: false });
  });

  it('refuses an explicit request off loopback, naming the address', () => {
    const decision = anonymousReadDecision({
      apiHost: '10.213.0.1',
      webHost: '127.0.0.1',
      requested: true,
      byDefault: false,
    });
    expect(decision.anonymousRead).toBe(false);
    expect(decision.refused).toMatch(/reached at 10\.213\.0\.1, off loopback/);
    // `kdlens api` serves no web app: only its own address counts.
    expect(
      anonymousReadDecision({ apiHost: '127.0.0.1', requested: true, byDefault: false }),
    ).toEqual({ anonymousRead: true });
  });

  it('is off behind a public address: a proxy may pass its own loopback Host for every visitor', () => {
    const both = { apiHost: '127.0.0.1', webHost: '127.0.0.1' };
    expect(
      anonymousReadDecision({
        ...both,
        requested: undefined,
        byDefault: true,
        publicUrl: 'https://kdlens.example.org',
      }),
    ).toEqual({ anonymousRead: false });
    expect(
      anonymousReadDecision({
        ...both,
        requested: true,
        byDefault: false,
        publicUrl: 'https://kdlens.example.org',
      }).refused,
    ).toMatch(/reached at kdlens\.example\.org, off loopback/);
    // A public URL on this machine changes nothing.
    expect(
      anonymousReadDecision({
        ...both,
        requested: undefined,
        byDefault: true,
        publicUrl: 'http://127.0.0.1:3000',
      }),
    ).toEqual({ anonymousRead: true });
  });
});
