import { exitCodes, reportFailure } from '@kdlens/core';
import { CommanderError } from 'commander';

/**
 * The CLI's error policy. Commander's own errors print their message already: help and
 * `--version` (commander's exit code 0) stay 0, and every other one (unknown command or option, a
 * missing or invalid argument, a bare `kdlens`) is a usage error, exit 2, where commander would
 * exit 1 and so look like a failure the user could act on. Every other error goes through the
 * policy of every kdlens process: an error the user can act on is one line and exit 1, a bug is
 * printed with its stack and exit 70. Writes to `stderr`; returns the exit code.
 */
export function exitCodeFor(
  error: unknown,
  stderr: { write(text: string): unknown } = process.stderr,
): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  }
  return reportFailure(error, stderr);
}
