import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from '@kdlens/core';
import { isDatabaseUnavailable } from '@kdlens/core/db';
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { ApiError, databaseUnavailable } from './api-error.ts';

/** Codes Apollo or graphql-js assign to requests that are malformed; safe to show as they are. */
const requestCodes = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'QUERY_TOO_COMPLEX',
  'TIMEOUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * Apollo's formatError: our own errors and request errors keep their message and code; anything
 * else (a bug, a database error) is logged with its stack and reaches the client as
 * INTERNAL_SERVER_ERROR with a fixed message, so no SQL, path or stack trace leaks. A database
 * that is down or restarting is DATABASE_UNAVAILABLE instead, which tells the client to retry.
 */
export function createFormatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = {
      message: formatted.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    };
    // Apollo re-codes every validation error GRAPHQL_VALIDATION_FAILED; our limit rules
    // (limits/*.rule.ts) set their own code on the error it wraps.
    const inner = error instanceof GraphQLError ? error.originalError : undefined;
    if (inner instanceof ApiError) return { ...base, extensions: publicExtensions(inner) };
    if (original instanceof ApiError) return { ...base, extensions: publicExtensions(original) };
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && requestCodes.has(code)) {
      const { stacktrace: _stack, exception: _exception, ...rest } = formatted.extensions ?? {};
      return { ...base, extensions: { ...rest, code } };
    }
    if (isDatabaseUnavailable(original)) {
      // Expected while the server restarts; one short line each, not a stack per field.
      log.warn({ path: formatted.path }, 'GraphQL field failed: database unavailable');
      const error = databaseUnavailable();
      return { ...base, message: error.message, extensions: publicExtensions(error) };
    }
    // The logger's err serializer keeps a failed statement's shape, never its parameters.
    log.error({ err: original, path: formatted.path }, 'GraphQL request failed');
    return {
      ...base,
      message: 'internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

function publicExtensions(error: GraphQLError): Record<string, unknown> {
  // `http` tells Apollo the status code; it is not for the client.
  const { http: _http, ...rest } = error.extensions;
  return rest;
}
