import { authenticateApiToken, type Database } from '@kdlens/core/db';
import { unauthenticated } from '../errors/api-error.ts';
import type { Caller } from './request-auth.ts';

/**
 * The caller named by an `Authorization: Bearer <token>` header; null without the header. A
 * header that is malformed, or names an unknown or revoked token, fails the whole request with
 * UNAUTHENTICATED, even where anonymous reading is allowed: silently reading as anonymous would
 * hide a revoked or mistyped token from its user.
 */
export async function resolveCaller(
  db: Database,
  authorization: string | undefined,
): Promise<Caller | null> {
  if (!carriesToken(authorization)) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  if (!match?.[1]) {
    throw unauthenticated('the Authorization header must be "Bearer <token>"');
  }
  const token = await authenticateApiToken(db, match[1]);
  if (!token) {
    throw unauthenticated(
      'the API token is unknown or revoked; ask an admin for a new one (kdlens token create)',
    );
  }
  return { tokenId: token.id, name: token.name, role: token.role };
}

/** Whether a request names a caller at all; one without is served as anonymous, if at all. */
export function carriesToken(authorization: string | undefined): authorization is string {
  return authorization !== undefined && authorization.trim() !== '';
}
