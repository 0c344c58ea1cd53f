/** Longest message, statement or detail an error contributes to a log line or a stored error. */
const MAX_TEXT = 300;
/** Longest message of an error that is not a failed statement. */
const MAX_MESSAGE = 1000;
/** Stack frames kept: enough to find the caller, not a screenful per failed field. */
const MAX_FRAMES = 8;

function clip(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

/** A failed statement as drizzle reports it (DrizzleQueryError): the SQL and every parameter. */
interface FailedQuery {
  query: string;
  params: unknown[];
}

function isFailedQuery(error: unknown): error is Error & FailedQuery {
  const e = error as Partial<FailedQuery> | null;
  return error instanceof Error && typeof e?.query === 'string' && Array.isArray(e.params);
}

/**
 * The statement without values: whitespace collapsed, string and number literals replaced by `?`,
 * clipped. Drizzle sends values as $n parameters, so literals are rare, but a hand-written
 * statement may inline one.
 */
export function statementShape(sql: string): string {
  const shape = sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return clip(shape, 200);
}

function byteSize(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return value.byteLength;
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return 0;
  }
}

/** How many parameters a statement had and how big they were, never what they were. */
export function parameterSizes(params: readonly unknown[]): {
  count: number;
  totalBytes: number;
  largestBytes: number;
} {
  let totalBytes = 0;
  let largestBytes = 0;
  for (const p of params) {
    const n = byteSize(p);
    totalBytes += n;
    largestBytes = Math.max(largestBytes, n);
  }
  return { count: params.length, totalBytes, largestBytes };
}

/**
 * An error's text without a failed statement's values, fit to store where other users read it (a
 * run's error, through sanitizeRunError, which also bounds it) or to print: a failed statement is
 * named by its shape and parameter sizes, with the database's own message clipped.
 */
export function summarizeError(error: unknown): string {
  if (isFailedQuery(error)) {
    const sizes = parameterSizes(error.params);
    const cause = error.cause instanceof Error ? `: ${clip(firstLine(error.cause.message))}` : '';
    return `database statement failed${cause} [${statementShape(error.query)}; ${sizes.count} parameter(s), ${sizes.totalBytes} bytes]`;
  }
  // Other messages are ours and may span lines (training errors do); whoever stores or logs them
  // bounds them (sanitizeRunError, serializeError).
  return error instanceof Error ? error.message : String(error);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

// pg's DatabaseError fields that name where it failed; `detail` and `where` are left out because
// they quote row and parameter values ("Key (name)=(…) already exists").
const databaseFields = ['code', 'severity', 'constraint', 'table', 'column', 'routine'] as const;

/**
 * pino's `err` serializer. The standard one copies every enumerable property, so a drizzle error
 * logged whole carried each parameter twice (in `message` and in `params`): an import of many MB
 * became a log line of as many. This one keeps the type, a bounded message, the database's error
 * fields, the first stack frames and (up to three deep) the cause.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: clip(String(error)) };
  const out: Record<string, unknown> = {
    type: error.constructor?.name ?? error.name,
    // A database message can quote a value, hence the bound.
    message: clip(summarizeError(error), MAX_MESSAGE),
  };
  if (isFailedQuery(error)) {
    out.statement = statementShape(error.query);
    out.params = parameterSizes(error.params);
  }
  const fields = error as unknown as Record<string, unknown>;
  for (const key of databaseFields) {
    const value = fields[key];
    if (typeof value === 'string' || typeof value === 'number') out[key] = value;
  }
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((l) => l.startsWith('    at '))
    .slice(0, MAX_FRAMES);
  if (frames.length) out.stack = frames.map((l) => clip(l.trim(), 200)).join('\n');
  if (error.cause !== undefined && depth < 3) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

/** Longest log line written; longer ones are cut down to their level, time, name and message. */
export const MAX_LOG_LINE = 16 * 1024;

/**
 * pino's last step before writing: a line over MAX_LOG_LINE (a huge object someone logged) is
 * replaced by a short JSON line that keeps what identifies it and says how long it was.
 */
export function boundLogLine(line: string): string {
  if (line.length <= MAX_LOG_LINE) return line;
  let kept: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    for (const key of ['level', 'time', 'pid', 'hostname', 'name', 'msg']) {
      const value = parsed[key];
      if (value !== undefined) kept[key] = typeof value === 'string' ? clip(value) : value;
    }
  } catch {
    kept = { msg: clip(line) };
  }
  return `${JSON.stringify({ ...kept, truncated: true, originalLength: line.length })}\n`;
}
