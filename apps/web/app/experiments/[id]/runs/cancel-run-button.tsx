'use client';

import { useActionState } from 'react';
import { type CancelState, cancelRun } from './actions.ts';

/** Cancel for one queued or running run; shown to operators only, checked again by the API. */
export function CancelRunButton({
  runId,
  experimentId,
  label,
}: {
  runId: string;
  experimentId: string;
  label: string;
}) {
  const [state, action, pending] = useActionState<CancelState, FormData>(cancelRun, {
    error: null,
    done: false,
  });
  return (
    <form action={action} className="inline-form">
      <input type="hidden" name="runId" value={runId} />
      <input type="hidden" name="experimentId" value={experimentId} />
      <button
        type="submit"
        className="danger"
        disabled={pending || state.done}
        aria-label={`Cancel run ${label}`}
        data-testid="cancel-run"
      >
        {pending ? 'Cancelling…' : state.done ? 'Cancelling' : 'Cancel'}
      </button>
      {state.error && (
        <span role="alert" className="error-inline">
          {state.error}
        </span>
      )}
    </form>
  );
}
