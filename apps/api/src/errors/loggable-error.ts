/** Longest text a log line keeps of an error's message or stack. */
export const MAX_LOGGED_TEXT = 2_000;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/**
 * What a log line keeps of an unexpected error: type, code, message and stack, each cut short,
 * and the same of its cause. Not the whole object: a failed query's error carries the SQL and
 * every bound parameter, and one import's 20,000 values made a 1.8 MB log line.
 */
export function loggableError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: cut(String(error), MAX_LOGGED_TEXT) };
  const code = (error as { code?: unknown }).code;
  const cause = (error as { cause?: unknown }).cause;
  return {
    type: error.name,
    message: cut(error.message, MAX_LOGGED_TEXT),
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.stack === undefined ? {} : { stack: cut(error.stack, MAX_LOGGED_TEXT) }),
    ...(cause !== undefined && depth < 2 ? { cause: loggableError(cause, depth + 1) } : {}),
  };
}
