import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type ApiTokenRole, apiTokenRoleSchema } from '../../domain/api-token.ts';
import { isUuid } from '../../domain/uuid.ts';
import { KdlensError } from '../../errors.ts';
import type { Database } from '../database.ts';
import { type ApiTokenRow, apiTokens } from '../schema.ts';

/** What a token's holder and an admin may see of it: never the hash. */
export type ApiTokenInfo = Omit<ApiTokenRow, 'tokenHash'>;

/** `kdl_` marks the string as a KDLens token (secret scanners and humans both recognise it). */
const TOKEN_PREFIX = 'kdl_';
/** 32 random bytes in base64url: 43 characters, 256 bits. */
const tokenPattern = /^kdl_[A-Za-z0-9_-]{43}$/;
/** Shown in lists and accepted by revoke: 8 random characters (48 bits) after `kdl_`. */
const DISPLAY_CHARS = TOKEN_PREFIX.length + 8;

export const apiTokenNameSchema = z
  .string()
  .trim()
  .min(1, 'a token needs a name (who or what uses it)')
  .max(100, 'at most 100 characters');

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const infoColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  role: apiTokens.role,
  prefix: apiTokens.prefix,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
};

/** Creates a token; the plaintext is returned here and never stored or shown again. */
export async function createApiToken(
  db: Database,
  input: { name: string; role: ApiTokenRole },
): Promise<{ token: string; info: ApiTokenInfo }> {
  const name = apiTokenNameSchema.parse(input.name);
  const role = apiTokenRoleSchema.parse(input.role);
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const [info] = await db
    .insert(apiTokens)
    .values({ name, role, tokenHash: hashToken(token), prefix: token.slice(0, DISPLAY_CHARS) })
    .returning(infoColumns);
  if (!info) throw new Error('inserting an API token returned no row');
  return { token, info };
}

/** Every token, newest first, revoked ones included (they show when and that they were revoked). */
export function listApiTokens(db: Database): Promise<ApiTokenInfo[]> {
  return db.select(infoColumns).from(apiTokens).orderBy(desc(apiTokens.createdAt));
}

/**
 * Revokes a token named by id or by its displayed prefix (`kdl_AbCd1234`). Revoking is final
 * and idempotent: a token revoked twice keeps its first revocation time. Returns undefined when
 * nothing matches; a prefix shared by two tokens is refused rather than guessed.
 */
export async function revokeApiToken(
  db: Database,
  idOrPrefix: string,
): Promise<ApiTokenInfo | undefined> {
  const key = idOrPrefix.trim();
  const matches = await db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(
      isUuid(key)
        ? eq(apiTokens.id, key)
        : // Any start of the displayed prefix (or the whole token) of at least 4 random characters.
          key.startsWith(TOKEN_PREFIX) && key.length >= TOKEN_PREFIX.length + 4
          ? sql`starts_with(${apiTokens.prefix}, ${key.slice(0, DISPLAY_CHARS)})`
          : sql`false`,
    );
  if (matches.length > 1) {
    throw new KdlensError(
      `${matches.length} tokens start with ${key.slice(0, DISPLAY_CHARS)}; revoke one by its id`,
    );
  }
  const [match] = matches;
  if (!match) return undefined;
  await db
    .update(apiTokens)
    .set({ revokedAt: sql`coalesce(${apiTokens.revokedAt}, now())` })
    .where(eq(apiTokens.id, match.id));
  const [info] = await db.select(infoColumns).from(apiTokens).where(eq(apiTokens.id, match.id));
  return info;
}

/** last_used_at is a hint for admins, so it is written at most once a minute per token. */
const LAST_USED_RESOLUTION = sql`interval '1 minute'`;

/**
 * The live token a bearer string names, or undefined (unknown, malformed or revoked).
 *
 * No constant-time comparison: the lookup is by SHA-256 of the presented string through an
 * index, so any timing difference depends on the *hash* of the guess, not on how many leading
 * characters of a real token it got right. Learning hash bytes does not help, because producing a
 * token with a chosen hash needs a SHA-256 preimage, and the token itself is 256 random bits.
 */
export async function authenticateApiToken(
  db: Database,
  token: string,
): Promise<ApiTokenInfo | undefined> {
  // Cheap rejection of garbage before touching the database.
  if (!tokenPattern.test(token)) return undefined;
  const [info] = await db
    .select(infoColumns)
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)));
  if (!info) return undefined;
  await db
    .update(apiTokens)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiTokens.id, info.id),
        or(
          isNull(apiTokens.lastUsedAt),
          sql`${apiTokens.lastUsedAt} < now() - ${LAST_USED_RESOLUTION}`,
        ),
      ),
    );
  return info;
}
