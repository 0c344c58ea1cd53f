'use server';

import { revalidatePath } from 'next/cache';
import { ApiError, request } from '@/lib/graphql.ts';
import { graphql } from '@/lib/graphql-document.ts';

const CancelRunMutation = graphql(`
  mutation CancelRun($id: ID!) {
    cancelRun(input: { id: $id }) {
      run {
        id
        status
      }
    }
  }
`);

export interface CancelState {
  error: string | null;
  done: boolean;
}

/** Asks the API to cancel one run; the API checks the token's role (operator or admin). */
export async function cancelRun(_previous: CancelState, form: FormData): Promise<CancelState> {
  const runId = String(form.get('runId') ?? '');
  const experimentId = String(form.get('experimentId') ?? '');
  try {
    await request(CancelRunMutation, { id: runId });
  } catch (error) {
    if (error instanceof ApiError) return { error: error.message, done: false };
    throw error;
  }
  revalidatePath(`/experiments/${experimentId}/runs`, 'layout');
  return { error: null, done: true };
}
