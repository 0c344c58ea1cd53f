import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { isDatabaseUnavailable } from '@kdlens/core/db';
import type { ApiContext } from '../context.ts';

/**
 * Answers 503 when a field failed because the database is down: formatError gives such errors
 * the DATABASE_UNAVAILABLE code but cannot set the status, and a 200 would tell load balancers
 * and retrying clients that the answer is final.
 */
export function databaseUnavailablePlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ errors, response }) {
          if (errors?.some((e) => isDatabaseUnavailable(unwrapResolverError(e)))) {
            response.http.status = 503;
          }
        },
      };
    },
  };
}
