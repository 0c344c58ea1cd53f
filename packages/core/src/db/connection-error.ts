import { WarehouseError } from '../errors.ts';

/** Where we tried to connect, without the password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Turns a node-postgres connection failure into one line that says what to fix. `source` names
 * where the URL came from (DATABASE_URL or the embedded server) so the user knows what to change.
 */
export function connectionError(error: unknown, url: string, source: string): WarehouseError {
  const e = error as { code?: string; message?: string };
  let where = redactUrl(url);
  let host = '?';
  let port = '5432';
  let database = '?';
  let user = '?';
  try {
    const u = new URL(url);
    host = u.hostname;
    port = u.port || '5432';
    database = decodeURIComponent(u.pathname.replace(/^\//, '')) || user;
    user = decodeURIComponent(u.username) || '(none)';
    where = `${host}:${port}`;
  } catch {}
  const fix = `Check ${source}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new WarehouseError(
        `cannot connect to PostgreSQL at ${where}: connection refused (is the server running, and on port ${port}?). ${fix}, or unset it to use the embedded database.`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new WarehouseError(`cannot connect to PostgreSQL: host "${host}" not found. ${fix}.`);
    case 'ETIMEDOUT':
      return new WarehouseError(`cannot connect to PostgreSQL at ${where}: timed out. ${fix}.`);
    case '28P01':
    case '28000':
      return new WarehouseError(
        `PostgreSQL at ${where} refused user "${user}": wrong password or no access. ${fix}.`,
      );
    case '3D000':
      return new WarehouseError(
        `PostgreSQL at ${where} has no database "${database}": create it (createdb ${database}) or ${fix.toLowerCase()}.`,
      );
    default:
      return new WarehouseError(
        `cannot use PostgreSQL at ${where}: ${e.message ?? String(error)}. ${fix}.`,
      );
  }
}
