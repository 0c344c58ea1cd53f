import type http from 'node:http';

/**
 * An error outside GraphQL execution, in the shape GraphQL errors have
 * (`errors[0].extensions.code`), so clients handle both alike. Messages are ours or quote only
 * the request; nothing names a server path.
 */
export function sendError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { ...headers, 'content-type': 'application/json' })
    .end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}
