import { badUserInput } from '../errors/api-error.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else is the caller's mistake, not a database error. */
export function parseId(id: string, argument = 'id'): string {
  if (!uuidPattern.test(id)) {
    throw badUserInput(`${argument} must be a UUID, not ${JSON.stringify(id.slice(0, 80))}`, {
      argument,
    });
  }
  return id.toLowerCase();
}
