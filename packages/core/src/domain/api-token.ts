import { z } from 'zod';

/**
 * What an API token may do: viewer reads; operator also launches, cancels and imports; admin
 * also manages tokens. Each role includes the ones before it, so one token per person suffices.
 */
export const apiTokenRoles = ['viewer', 'operator', 'admin'] as const;
export const apiTokenRoleSchema = z.enum(apiTokenRoles);
export type ApiTokenRole = z.infer<typeof apiTokenRoleSchema>;

/** True when `role` is at least `required` in the viewer < operator < admin order. */
export function roleAllows(role: ApiTokenRole, required: ApiTokenRole): boolean {
  return apiTokenRoles.indexOf(role) >= apiTokenRoles.indexOf(required);
}
