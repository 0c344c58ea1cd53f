import net from 'node:net';
import { isLoopbackAddress } from '../auth/loopback.ts';
import type { Caller } from '../auth/request-auth.ts';
import { LOOPBACK_SHARE } from './api-limits.ts';
import type { CallerBudget } from './caller-slots.ts';

/** The one caller every anonymous request from this machine is counted as. */
export const LOOPBACK_CALLER = 'address:loopback';

const usualBudget: CallerBudget = { share: 1, source: 'KDLENS_API_MAX_CONCURRENT' };
const loopbackBudget: CallerBudget = {
  share: LOOPBACK_SHARE,
  source: `${LOOPBACK_SHARE} × KDLENS_API_MAX_CONCURRENT, shared by all anonymous clients on this machine`,
};

/**
 * Whom a request's slots belong to: its token, else the address it came from (a bad token is
 * refused by Apollo, but still counts against its address). X-Forwarded-For is not read: any
 * client could set it. Every loopback address is one caller: on Linux any 127.0.0.0/8 source
 * reaches a 127.0.0.1 listener, so keying by the literal address gave a local user fresh slots
 * per address (127.9.9.9, 127.9.9.10, …). Where anonymous reading is on, that caller (the web
 * app's server and local scripts together) gets LOOPBACK_SHARE times the usual budget.
 */
export function callerKey(
  caller: Caller | null,
  remoteAddress: string | undefined,
  anonymousRead: boolean,
): { key: string; budget: CallerBudget } {
  if (caller) return { key: `token:${caller.tokenId}`, budget: usualBudget };
  const address = remoteAddress ?? 'unknown';
  if (isLoopbackAddress(address)) {
    return { key: LOOPBACK_CALLER, budget: anonymousRead ? loopbackBudget : usualBudget };
  }
  // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; one client, one key.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  return {
    key: `address:${mapped && net.isIPv4(mapped) ? mapped : address.toLowerCase()}`,
    budget: usualBudget,
  };
}
