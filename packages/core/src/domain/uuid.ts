// Any UUID in PostgreSQL's canonical text form (not only RFC 4122 v4), either case.
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a value can be looked up as an id: anything else never reaches PostgreSQL as a uuid,
 * where it would fail to parse instead of matching nothing.
 */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
