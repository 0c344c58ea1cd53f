/**
 * Socket errors and PostgreSQL's connection classes: the server is down, restarting or
 * unreachable, not a problem with the statement. Callers answer these as "try again shortly".
 */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or in
// recovery); class 08 is "connection exception" (PostgreSQL's errcodes appendix).
const serverCodes = new Set(['57P01', '57P02', '57P03']);
// node-postgres raises these as plain Errors without a code.
const clientMessages = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
];

/** True when `error` (or an error in its `cause` chain, as drizzle wraps them) means "no database". */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (socketCodes.has(code) || serverCodes.has(code) || code.startsWith('08')) return true;
    }
    if (clientMessages.some((m) => e instanceof Error && e.message.startsWith(m))) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnavailable(inner))) {
      return true;
    }
    e = e.cause;
  }
  return false;
}
