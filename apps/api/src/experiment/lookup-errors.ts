import { z } from 'zod';
import { badUserInput, notFound } from '../errors/api-error.ts';

export { notFound };

/** BAD_USER_INPUT naming the argument, so a form can mark the field. */
export function badArgument(message: string, argument: string) {
  return badUserInput(message, { argument });
}

// Any UUID layout PostgreSQL's uuid type accepts in its canonical form (not only RFC v4).
const uuidSchema = z.guid();

/** A well-formed id or BAD_USER_INPUT: a malformed id can name no row, and must not reach SQL. */
export function parseId(value: string, argument: string): string {
  const parsed = uuidSchema.safeParse(value);
  if (!parsed.success) {
    throw badArgument(
      `${argument} must be a UUID, not ${JSON.stringify(value.slice(0, 80))}`,
      argument,
    );
  }
  return parsed.data.toLowerCase();
}
