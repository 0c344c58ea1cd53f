import type { IncomingHttpHeaders } from 'node:http';

/**
 * The web app's httpOnly sign-in cookie (apps/web/lib/token-cookie.ts TOKEN_COOKIE): it holds the
 * user's API token as is. Browsers send a cookie to every port of its host, so a signed-in user's
 * browser can fetch /export downloads from the API directly.
 */
export const TOKEN_COOKIE = 'kdlens_token';

/** The value of cookie `name` in a Cookie header; undefined when absent or empty. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      value = raw;
    }
    return value === '' ? undefined : value;
  }
  return undefined;
}

/**
 * The Authorization header a download request stands for: its own, else `Bearer <token>` from
 * the sign-in cookie. The header wins, so a script's token is never overridden by a browser's.
 */
export function downloadAuthorization(headers: IncomingHttpHeaders): string | undefined {
  if (headers.authorization !== undefined && headers.authorization.trim() !== '') {
    return headers.authorization;
  }
  const token = cookieValue(headers.cookie, TOKEN_COOKIE);
  return token === undefined ? undefined : `Bearer ${token}`;
}
