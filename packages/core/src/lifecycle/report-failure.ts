import { isUserActionable } from '../errors.ts';
import { summarizeError } from '../log/error-summary.ts';

/**
 * The error policy of every kdlens process (the CLI and the trainer's worker entry point): an
 * error the user can act on is one line and exit 1; anything else is a bug, printed with its
 * stack, and exit 2. Writes to `stderr`; returns the exit code.
 */
export function reportFailure(
  error: unknown,
  stderr: { write(text: string): unknown } = process.stderr,
): 1 | 2 {
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
