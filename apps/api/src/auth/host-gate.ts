import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from '@kdlens/core';
import { carriesToken } from './resolve-caller.ts';

/**
 * Why a request is refused for its Host header (FORBIDDEN_HOST), or null to serve it. Only
 * requests that would be served anonymously are checked: a page on attacker.example re-pointed at
 * 127.0.0.1 (DNS rebinding) can make the browser send them, but has no token to add. A request
 * with an Authorization header is left to resolveCaller, which fails it unless the token is good.
 * Checked before the body is read or the response cache consulted, so no path skips it.
 */
export function foreignHostRefusal(
  anonymousRead: boolean,
  headers: IncomingHttpHeaders,
): string | null {
  if (!anonymousRead || carriesToken(headers.authorization) || isLoopbackHost(headers.host)) {
    return null;
  }
  return 'anonymous reading is on for requests addressed to this machine only (Host: localhost, 127.0.0.1 or [::1], with the port); this request names another host. Use http://127.0.0.1:<port>/graphql, or send an API token (Authorization: Bearer <token>)';
}
