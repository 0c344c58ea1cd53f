import { badUserInput } from '../errors/api-error.ts';
import { MAX_PAGE_SIZE } from './api-limits.ts';

/** Checks a connection's `first` argument: 0 … MAX_PAGE_SIZE, else BAD_USER_INPUT. */
export function checkPageSize(first: number, argument = 'first'): number {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`${argument} must be between 0 and ${MAX_PAGE_SIZE}, not ${first}`, {
      argument,
      max: MAX_PAGE_SIZE,
    });
  }
  return first;
}
