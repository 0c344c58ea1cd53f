import type { ApiError } from '@/lib/graphql.ts';

/** An API failure in words, with the way out when there is one (sign in, start the API). */
export function ApiErrorNotice({ error, what }: { error: ApiError; what: string }) {
  return (
    <div className="error" role="alert" data-testid="api-error">
      <p>
        Could not load {what}: {error.message}
      </p>
      {error.code === 'UNAUTHENTICATED' && (
        <p>
          <a href="/sign-in">Sign in</a> with an API token.
        </p>
      )}
      {error.code === 'UNREACHABLE' && (
        <p>Start the API (`npx kdlens api` or `npm start`); this page retries when reloaded.</p>
      )}
    </div>
  );
}
