'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { ApiError, graphql } from '@/lib/graphql.ts';

export interface CancelState {
  error: string | null;
  done: boolean;
}

/** Asks the API to cancel one run; the API checks the token's role (operator or admin). */
export async function cancelRun(_previous: CancelState, form: FormData): Promise<CancelState> {
  const runId = String(form.get('runId') ?? '');
  const experimentId = String(form.get('experimentId') ?? '');
  try {
    await graphql(
      'mutation Cancel($id: ID!) { cancelRun(id: $id) { id status } }',
      { id: runId },
      z.object({ cancelRun: z.object({ id: z.string(), status: z.string() }) }),
    );
  } catch (error) {
    if (error instanceof ApiError) return { error: error.message, done: false };
    throw error;
  }
  revalidatePath(`/experiments/${experimentId}/runs`, 'layout');
  return { error: null, done: true };
}
