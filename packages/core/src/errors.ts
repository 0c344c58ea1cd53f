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
