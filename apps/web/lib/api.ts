import { z } from 'zod';

/**
 * The GraphQL endpoint the web app's server calls. The browser never sees it: every request to
 * the API goes through a server component or server action, which adds the user's token.
 */
export const apiUrl = z
  .url({ error: 'KDLENS_API_URL must be the http(s) URL of the GraphQL endpoint' })
  .parse(process.env.KDLENS_API_URL ?? 'http://127.0.0.1:4000/graphql');

/**
 * KDLENS_WEB_SECURE_COOKIE=1 marks the token cookie Secure (send it over https only); off by
 * default because KDLens usually serves http://127.0.0.1.
 */
export const secureCookie =
  z
    .enum(['0', '1'], { error: 'KDLENS_WEB_SECURE_COOKIE must be 0 or 1' })
    .default('0')
    .parse(process.env.KDLENS_WEB_SECURE_COOKIE) === '1';
