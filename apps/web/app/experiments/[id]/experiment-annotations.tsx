'use client';

import { useActionState } from 'react';
import { TagChips } from '@/components/tag-chips.tsx';
import { MAX_NOTE_CHARS } from '@/lib/annotation-fields.ts';
import { type AnnotationState, saveAnnotations } from './annotation-actions.ts';

/**
 * The experiment's tags and note under its name: everyone reads them; operators also get an
 * editor (the API checks the role again).
 */
export function ExperimentAnnotations({
  experimentId,
  tags,
  note,
  canEdit,
}: {
  experimentId: string;
  tags: readonly string[];
  note: string | null;
  canEdit: boolean;
}) {
  const [state, action, pending] = useActionState<AnnotationState, FormData>(saveAnnotations, {
    fields: {},
    general: null,
    saved: false,
  });
  return (
    <section
      className="annotations"
      aria-label="Tags and note"
      data-testid="experiment-annotations"
    >
      <TagChips tags={tags} label="Tags" />
      {note !== null && (
        <p className="experiment-note" data-testid="experiment-note">
          {note}
        </p>
      )}
      {canEdit && (
        <details
          className="annotation-editor"
          open={state.general !== null || Object.keys(state.fields).length > 0}
        >
          <summary data-testid="edit-annotations">Edit tags and note</summary>
          <form action={action} className="annotation-form">
            <input type="hidden" name="id" value={experimentId} />
            <label>
              Tags{' '}
              <span className="meta">
                (comma or space separated; lowercase letters, digits, - _ .)
              </span>
              <input
                type="text"
                name="tags"
                defaultValue={tags.join(', ')}
                aria-invalid={state.fields.tags ? true : undefined}
                aria-describedby={state.fields.tags ? 'annotation-tags-error' : undefined}
                data-testid="annotation-tags"
              />
            </label>
            {state.fields.tags && (
              <p id="annotation-tags-error" role="alert" className="error-inline">
                {state.fields.tags}
              </p>
            )}
            <label>
              Note
              <textarea
                name="note"
                rows={3}
                maxLength={MAX_NOTE_CHARS}
                defaultValue={note ?? ''}
                aria-invalid={state.fields.note ? true : undefined}
                aria-describedby={state.fields.note ? 'annotation-note-error' : undefined}
                data-testid="annotation-note"
              />
            </label>
            {state.fields.note && (
              <p id="annotation-note-error" role="alert" className="error-inline">
                {state.fields.note}
              </p>
            )}
            <div>
              <button type="submit" disabled={pending} data-testid="save-annotations">
                {pending ? 'Saving…' : 'Save'}
              </button>{' '}
              {state.saved && !pending && (
                <span role="status" className="meta" data-testid="annotations-saved">
                  Saved.
                </span>
              )}
              {state.general && (
                <span role="alert" className="error-inline">
                  {state.general}
                </span>
              )}
            </div>
          </form>
        </details>
      )}
    </section>
  );
}
