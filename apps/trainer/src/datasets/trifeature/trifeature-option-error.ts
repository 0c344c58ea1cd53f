import { KdlensError } from '@kdlens/core';

/**
 * A bad Trifeature generator option: names the option and says what was expected, so a user
 * can fix a config or CLI flag without reading the generator.
 */
export class TrifeatureOptionError extends KdlensError {
  override readonly name = 'TrifeatureOptionError';
  constructor(
    /** The option at fault, e.g. `correlation` or `size`. */
    readonly option: string,
    problem: string,
  ) {
    super(`trifeature option ${option}: ${problem}`);
  }
}
