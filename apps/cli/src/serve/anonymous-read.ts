import net from 'node:net';

/**
 * Whether a configured listen address is reachable only from this machine: `localhost`, an
 * address in 127.0.0.0/8 or `::1` (bracketed or not). `0.0.0.0`, `::` and every other address
 * count as off loopback. The API checks the address it actually bound again (auth/loopback.ts).
 */
export function isLoopbackBind(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return net.isIPv4(bare) && bare.startsWith('127.');
}

export interface AnonymousReadDecision {
  anonymousRead: boolean;
  /** Set when KDLENS_ALLOW_ANONYMOUS_READ=1 was asked for and is not honoured: why. */
  refused?: string;
}

/**
 * Whether the API lets requests without a token read. Only when both the API and the web app
 * listen on loopback: then only people at this machine can send such requests. Off loopback,
 * everyone signs in, whatever KDLENS_ALLOW_ANONYMOUS_READ says (the web app would otherwise read
 * for any visitor, since it calls the API from this machine). `requested` is
 * KDLENS_ALLOW_ANONYMOUS_READ (undefined when unset); `byDefault` is the command's default (on
 * for the `kdlens start` demo, off for `kdlens serve` and `kdlens api`).
 */
export function anonymousReadDecision(opts: {
  apiHost: string;
  /** Undefined for `kdlens api`, which serves no web app. */
  webHost?: string;
  requested: boolean | undefined;
  byDefault: boolean;
  /**
   * KDLENS_PUBLIC_URL. A public address that is not this machine means a reverse proxy in front,
   * which may pass its own loopback Host and so make every visitor look local: off, too.
   */
  publicUrl?: string;
}): AnonymousReadDecision {
  const wanted = opts.requested ?? opts.byDefault;
  if (!wanted) return { anonymousRead: false };
  const publicHost = opts.publicUrl === undefined ? undefined : new URL(opts.publicUrl).hostname;
  const offLoopback = [opts.apiHost, opts.webHost, publicHost].filter(
    (host): host is string => host !== undefined && !isLoopbackBind(host),
  );
  if (offLoopback.length === 0) return { anonymousRead: true };
  return {
    anonymousRead: false,
    ...(opts.requested === true
      ? {
          refused: `KDLENS_ALLOW_ANONYMOUS_READ=1 is ignored: KDLens is reached at ${offLoopback.join(' and ')}, off loopback, so every reader signs in with an API token`,
        }
      : {}),
  };
}
