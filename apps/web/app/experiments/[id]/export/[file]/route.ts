import { apiUrl } from '@/lib/api.ts';
import { exportQueryParameters, parseExportFile } from '@/lib/export-files.ts';
import { currentToken } from '@/lib/graphql.ts';

export const dynamic = 'force-dynamic';

/** Until the API's first byte; after that a large export streams for as long as it takes. */
const HEADERS_TIMEOUT_MS = 20_000;

/** Headers of the API's answer the browser needs to save the file as the API named it. */
// Not Content-Length: fetch may have decoded a compressed body, so its length is not the API's.
const passedHeaders = ['content-type', 'content-disposition'] as const;

function plainText(status: number, message: string): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** The API's JSON error (`{"errors":[{"message"}]}`) as one line a person reads. */
async function apiErrorText(response: Response): Promise<string> {
  const body: unknown = await response.json().catch(() => undefined);
  const errors = (body as { errors?: { message?: unknown }[] } | undefined)?.errors;
  const message = errors?.map((e) => e.message).find((m) => typeof m === 'string');
  return typeof message === 'string' ? message : `the API answered HTTP ${response.status}`;
}

/**
 * GET /experiments/<id>/export/<table>.<format>: the API's /export download, through the web's
 * own origin (the browser never talks to the API). Only tables and formats of the menu are
 * forwarded, with the signed-in user's token (none when signed out: the API decides whether
 * anonymous reading is on, as for pages). The API's body is streamed through, never buffered;
 * a failure comes back as a line of text the browser shows.
 */
export async function GET(
  request: Request,
  { params }: { params: Promise<{ id: string; file: string }> },
): Promise<Response> {
  const { id, file } = await params;
  const target = parseExportFile(file);
  if (target === null) {
    return plainText(
      404,
      `No such download: "${file.slice(0, 60)}". Downloads are <table>.<csv|parquet|jsonl>.`,
    );
  }
  // `.` and `..` stay themselves under percent-encoding, and a URL resolves them as path steps.
  if (id === '.' || id === '..') return plainText(404, 'Download failed: no such experiment.');
  const upstream = new URL(
    `/export/${encodeURIComponent(id)}/${target.table}.${target.format}`,
    apiUrl,
  );
  const asked = new URL(request.url).searchParams;
  for (const name of exportQueryParameters) {
    const value = asked.get(name);
    if (value !== null) upstream.searchParams.set(name, value);
  }
  const token = await currentToken();
  // The browser leaving aborts the API's export too; the timer only guards the first byte.
  const headersDeadline = new AbortController();
  const timer = setTimeout(() => headersDeadline.abort(), HEADERS_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(upstream, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      cache: 'no-store',
      signal: AbortSignal.any([request.signal, headersDeadline.signal]),
    });
  } catch (error) {
    // Where the API listens and why it failed are for the server log, not for any visitor.
    console.error('download: cannot reach the KDLens API', error);
    return plainText(502, 'Download failed: the KDLens API cannot be reached; try again later.');
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    const advice = response.status === 401 ? ' Sign in with an API token to download.' : '';
    return plainText(response.status, `Download failed: ${await apiErrorText(response)}.${advice}`);
  }
  const headers = new Headers({ 'cache-control': 'private, no-store' });
  for (const name of passedHeaders) {
    const value = response.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(response.body, { status: response.status, headers });
}
