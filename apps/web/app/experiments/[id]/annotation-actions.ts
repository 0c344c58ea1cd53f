'use server';

import { revalidatePath } from 'next/cache';
import {
  type AnnotationErrors,
  annotationErrors,
  annotationFieldsSchema,
} from '@/lib/annotation-fields.ts';
import { ApiError, request } from '@/lib/graphql.ts';
import { graphql } from '@/lib/graphql-document.ts';

const UpdateAnnotationsMutation = graphql(`
  mutation UpdateExperimentAnnotations($input: UpdateExperimentAnnotationsInput!) {
    updateExperimentAnnotations(input: $input) {
      experiment {
        id
        tags
        note
      }
    }
  }
`);

export interface AnnotationState {
  fields: AnnotationErrors;
  /** The API's refusal that belongs to no field (a viewer token, say), in words. */
  general: string | null;
  saved: boolean;
}

/**
 * Parses the editor's fields, then asks the API to replace the experiment's tags and note; the
 * API checks the token's role (operator or admin) and the fields again, naming the bad one.
 */
export async function saveAnnotations(
  _previous: AnnotationState,
  form: FormData,
): Promise<AnnotationState> {
  const parsed = annotationFieldsSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    return { fields: annotationErrors(parsed.error), general: null, saved: false };
  }
  const { id, tags, note } = parsed.data;
  try {
    await request(UpdateAnnotationsMutation, { input: { id, tags, note } });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const field = /^input\.(tags|note)\b/.exec(error.message)?.[1];
    if (field === 'tags' || field === 'note') {
      return { fields: { [field]: error.message }, general: null, saved: false };
    }
    return { fields: {}, general: error.message, saved: false };
  }
  revalidatePath(`/experiments/${id}`, 'layout');
  revalidatePath('/experiments');
  return { fields: {}, general: null, saved: true };
}
