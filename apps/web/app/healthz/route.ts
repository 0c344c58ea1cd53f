/** Liveness: the web app's process answers. Readiness (the API and its database) is /readyz. */
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return new Response('ok', {
    headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' },
  });
}
