import { GraphQLError } from 'graphql';

/** The codes a client can branch on; anything else reaching formatError is masked. */
export const apiErrorCodes = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  /** Anonymous request to a Host other than a loopback name (auth/host-gate.ts). */
  'FORBIDDEN_HOST',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'QUERY_TOO_COMPLEX',
  'TIMEOUT',
  'DATABASE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ApiErrorCode = (typeof apiErrorCodes)[number];

const httpStatus: Partial<Record<ApiErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  DATABASE_UNAVAILABLE: 503,
};

/**
 * An error we raise on purpose, with a message meant for the client. Its code and extensions
 * reach the client unchanged; other errors are logged and masked (errors/format-error.ts).
 */
export class ApiError extends GraphQLError {
  constructor(code: ApiErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    const status = httpStatus[code];
    super(message, {
      extensions: { ...extensions, code, ...(status === undefined ? {} : { http: { status } }) },
    });
    this.name = 'ApiError';
  }
}

export const unauthenticated = (message: string) => new ApiError('UNAUTHENTICATED', message);
export const forbidden = (message: string) => new ApiError('FORBIDDEN', message);
export const notFound = (message: string) => new ApiError('NOT_FOUND', message);
export const badUserInput = (message: string, extensions?: Record<string, unknown>) =>
  new ApiError('BAD_USER_INPUT', message, extensions);
/** The warehouse is down or restarting: the client should retry, nothing was wrong with the request. */
export const databaseUnavailable = () =>
  new ApiError(
    'DATABASE_UNAVAILABLE',
    'the database is unavailable (restarting or unreachable); retry in a few seconds',
  );
