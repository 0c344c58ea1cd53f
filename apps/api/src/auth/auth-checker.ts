import { type ApiTokenRole, apiTokenRoleSchema, roleAllows } from '@kdlens/core';
import type { AuthChecker } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { forbidden, unauthenticated } from '../errors/api-error.ts';

/**
 * type-graphql's check for `@Authorized(role)`: the caller's role must be at least the lowest
 * role listed. It throws instead of returning false so that the client learns which of the two
 * it was: UNAUTHENTICATED (no token) or FORBIDDEN (a token whose role is too low).
 */
export const authChecker: AuthChecker<ApiContext, ApiTokenRole> = ({ context }, roles) => {
  const { caller } = context.auth;
  if (!caller) throw unauthenticated('this needs an API token: Authorization: Bearer <token>');
  const needed = roles.map((r) => apiTokenRoleSchema.parse(r));
  if (needed.length === 0 || needed.some((r) => roleAllows(caller.role, r))) return true;
  throw forbidden(
    `this needs the ${needed.join(' or ')} role; the token "${caller.name}" has ${caller.role}`,
  );
};
