import { apiUrl } from '@/lib/api.ts';
import { webReadiness } from '@/lib/readiness.ts';

/** Readiness: the API answers its /readyz (database reachable, migrations current). */
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const readiness = await webReadiness(apiUrl);
  return new Response(readiness.ready ? 'ready' : `not ready: ${readiness.reason}`, {
    status: readiness.ready ? 200 : 503,
    headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' },
  });
}
