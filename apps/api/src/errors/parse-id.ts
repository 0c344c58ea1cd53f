import { isUuid } from '@kdlens/core';
import { badUserInput } from './api-error.ts';

// Any UUID layout PostgreSQL's uuid type accepts in its canonical form (not only RFC v4).
/**
 * A well-formed id, lower-cased, or BAD_USER_INPUT naming the argument: a malformed id can name
 * no row, and must not reach SQL as a database error.
 */
export function parseId(value: string, argument = 'id'): string {
  if (!isUuid(value)) {
    throw badUserInput(`${argument} must be a UUID, not ${JSON.stringify(value.slice(0, 80))}`, {
      argument,
    });
  }
  return value.toLowerCase();
}
