import { isLoopbackHost } from '@kdlens/core/loopback-host';
import { type NextRequest, NextResponse } from 'next/server';
import { foreignHostRefusal } from './lib/foreign-host.ts';
import { contentSecurityPolicy, securityHeaders } from './lib/security-headers.ts';
import { TOKEN_COOKIE } from './lib/token-cookie.ts';

/**
 * Runs before every request: a fresh CSP nonce and the security headers on every response, and
 * the Host check while anonymous reading is on (lib/foreign-host.ts). Static files and the probes
 * (/healthz, /readyz) skip the Host check only: they are the same for everyone and hold no data.
 */
const probePaths = new Set(['/healthz', '/readyz']);

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const csp = contentSecurityPolicy(nonce, process.env.NODE_ENV === 'development');
  const withHeaders = (response: NextResponse) => {
    response.headers.set('Content-Security-Policy', csp);
    for (const [name, value] of Object.entries(securityHeaders)) response.headers.set(name, value);
    return response;
  };
  const path = request.nextUrl.pathname;
  if (
    !path.startsWith('/_next/static/') &&
    !probePaths.has(path) &&
    !isLoopbackHost(request.headers.get('host'))
  ) {
    // Exactly the token pages would send (lib/graphql.ts sends none for an empty cookie).
    const token = request.cookies.get(TOKEN_COOKIE)?.value || null;
    const refusal = await foreignHostRefusal(token);
    if (refusal !== null) {
      return withHeaders(
        new NextResponse(refusal, {
          status: 403,
          headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
        }),
      );
    }
  }
  // Next.js takes the nonce for its own scripts from the request's CSP header.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('Content-Security-Policy', csp);
  return withHeaders(NextResponse.next({ request: { headers: requestHeaders } }));
}
