import { reportFailure } from '@kdlens/core';
import { CommanderError } from 'commander';

/**
 * The CLI's error policy: commander's own errors (help, a bad option) keep commander's exit code
 * and print nothing more; every other error goes through the policy of every kdlens process (an
 * error the user can act on is one line and exit 1, a bug is printed with its stack and exit 2).
 * Writes to `stderr`; returns the exit code.
 */
export function exitCodeFor(
  error: unknown,
  stderr: { write(text: string): unknown } = process.stderr,
): number {
  if (error instanceof CommanderError) return error.exitCode;
  return reportFailure(error, stderr);
}
