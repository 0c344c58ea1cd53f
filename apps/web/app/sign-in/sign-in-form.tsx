'use client';

import { useActionState } from 'react';
import { type SignInState, signIn } from './actions.ts';

/** Token field and submit; the API's verdict appears under the field. */
export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signIn, { error: null });
  return (
    <form action={action} className="stack narrow" aria-describedby="token-help">
      <input type="hidden" name="next" value={next} />
      <label htmlFor="token">API token</label>
      <input
        id="token"
        name="token"
        type="password"
        autoComplete="off"
        required
        aria-invalid={state.error ? true : undefined}
        aria-describedby={state.error ? 'token-error' : 'token-help'}
      />
      <p id="token-help" className="hint">
        An administrator creates tokens (`createApiToken`); a viewer token reads, an operator token
        also launches and cancels.
      </p>
      {state.error && (
        <p id="token-error" className="error" role="alert">
          {state.error}
        </p>
      )}
      <button type="submit" disabled={pending}>
        {pending ? 'Checking…' : 'Sign in'}
      </button>
    </form>
  );
}
