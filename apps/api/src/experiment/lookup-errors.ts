import { badUserInput, notFound } from '../errors/api-error.ts';

export { notFound };

/** BAD_USER_INPUT naming the argument, so a form can mark the field. */
export function badArgument(message: string, argument: string) {
  return badUserInput(message, { argument });
}
