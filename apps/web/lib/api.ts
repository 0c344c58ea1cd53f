import { z } from 'zod';

/**
 * The GraphQL endpoint the web app's server calls. The browser never sees it: every request to
 * the API goes through a server component or server action, which adds the user's token.
 */
export const apiUrl = z
  .url({ error: 'KDLENS_API_URL must be the http(s) URL of the GraphQL endpoint' })
  .parse(process.env.KDLENS_API_URL ?? 'http://127.0.0.1:4000/graphql');

/**
 * KDLENS_WEB_SECURE_COOKIE=1 marks the token cookie Secure (send it over https only). Unset, it
 * follows KDLENS_PUBLIC_URL: on behind an https proxy, off for the usual http://127.0.0.1.
 */
export const secureCookie = secureCookieSetting(
  process.env.KDLENS_WEB_SECURE_COOKIE,
  process.env.KDLENS_PUBLIC_URL,
);

export function secureCookieSetting(
  setting: string | undefined,
  publicUrl: string | undefined,
): boolean {
  const explicit = z
    .enum(['0', '1'], { error: 'KDLENS_WEB_SECURE_COOKIE must be 0 or 1' })
    .optional()
    .parse(setting === '' ? undefined : setting);
  if (explicit !== undefined) return explicit === '1';
  return publicUrl?.startsWith('https://') === true;
}
