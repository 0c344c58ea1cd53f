/** How long the web's /readyz waits for the API's before it reports the API as not answering. */
export const API_READYZ_TIMEOUT_MS = 3000;

export type WebReadiness = { ready: true } | { ready: false; reason: string };

/**
 * The web app is ready when the API it reads from is: it asks the API's /readyz (database
 * reachable, this build's migrations applied), beside the GraphQL endpoint `apiUrl`. The web app
 * holds no state of its own, so that is all it needs.
 */
export async function webReadiness(
  apiUrl: string,
  timeoutMs = API_READYZ_TIMEOUT_MS,
): Promise<WebReadiness> {
  const url = new URL('/readyz', apiUrl);
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      cache: 'no-store',
    });
    // The API's own words (e.g. "not ready: migrations pending"), kept short.
    const text = (await response.text()).slice(0, 200).trim();
    if (response.ok) return { ready: true };
    return { ready: false, reason: `API: ${text || `HTTP ${response.status}`}` };
  } catch (error) {
    const why =
      error instanceof Error && error.name === 'TimeoutError'
        ? `did not answer within ${timeoutMs} ms`
        : 'unreachable';
    return { ready: false, reason: `API at ${url.origin} ${why}` };
  }
}
