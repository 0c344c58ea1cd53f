import { isUserActionable } from '../errors.ts';
import { summarizeError } from '../log/error-summary.ts';

/**
 * Exit codes of every kdlens process. 2 is what shells and most CLIs use for a usage error (a
 * bad option or argument), so a bug needs its own code, or a script could not tell "I called it
 * wrongly" from "kdlens is broken": 70 is EX_SOFTWARE of sysexits.h, "an internal software error".
 */
export const exitCodes = {
  ok: 0,
  /** An error the user can act on (a bad file, a missing experiment, a server not there). */
  failure: 1,
  /** The command line itself is wrong: unknown command or option, missing argument. */
  usage: 2,
  /** A bug: anything that is not an error the user can act on (sysexits.h EX_SOFTWARE). */
  bug: 70,
} as const;

/**
 * The error policy of every kdlens process (the CLI and the trainer's worker entry point): an
 * error the user can act on is one line and exit 1; anything else is a bug, printed with its
 * stack, and exit 70. Writes to `stderr`; returns the exit code.
 */
export function reportFailure(
  error: unknown,
  stderr: { write(text: string): unknown } = process.stderr,
): typeof exitCodes.failure | typeof exitCodes.bug {
  if (isUserActionable(error)) {
    stderr.write(`kdlens: ${error.message}\n`);
    return exitCodes.failure;
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
  return exitCodes.bug;
}
