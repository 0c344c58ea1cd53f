import { isUserActionable, summarizeError } from '@kdlens/core';
import { CommanderError } from 'commander';

/**
 * The CLI's error policy: an error the user can act on is one line and exit 1; anything else is
 * a bug, printed with its stack, and exit 2. Writes to `stderr`; returns the exit code.
 */
export function exitCodeFor(
  error: unknown,
  stderr: { write(text: string): unknown } = process.stderr,
): number {
  if (error instanceof CommanderError) return error.exitCode;
  if (isUserActionable(error)) {
    stderr.write(`kdlens: ${error.message}\n`);
    return 1;
  }
  // The message through summarizeError: a failed statement's stack starts with its message,
  // which drizzle fills with every parameter (an import's whole data).
  const frames =
    error instanceof Error
      ? (error.stack ?? '').split('\n').filter((l) => l.startsWith('    at '))
      : [];
  stderr.write(
    `kdlens: unexpected error (a bug; please report it):\n${summarizeError(error)}\n${frames.join('\n')}\n`,
  );
  return 2;
}
