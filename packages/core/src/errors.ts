import { MetricsInputError } from '@kdlens/metrics';

/**
 * An error the user can act on. The CLI prints `message` alone (one line, no stack), so the
 * message must say what is wrong and what to do about it.
 */
export class KdlensError extends Error {
  override readonly name: string = 'KdlensError';
}

/** A bad environment variable or command-line value; names the variable. */
export class ConfigError extends KdlensError {
  override readonly name = 'ConfigError';
}

/** The warehouse could not be reached, started or migrated. */
export class WarehouseError extends KdlensError {
  override readonly name = 'WarehouseError';
}

/**
 * Whether `error` is one the user can act on (the CLI prints its message as one line and exits
 * 1) rather than a bug. Every such error extends KdlensError, except @kdlens/metrics' one:
 * metrics imports nothing, so it cannot extend a class from here, and it is listed instead. An
 * explicit `instanceof` list rather than a brand property, because a brand is a key any thrown
 * object could carry, and this list is where a reader finds every exception to the rule.
 */
export function isUserActionable(error: unknown): error is Error {
  return error instanceof KdlensError || error instanceof MetricsInputError;
}
