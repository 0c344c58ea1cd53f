/**
 * The tags-and-note editor's fields, checked on the web server before the API checks them again
 * with @kdlens/core's schema (parseExperimentAnnotations); the rules and messages are the same,
 * so whichever refuses, the user reads one wording.
 */
import { z } from 'zod';
import './zod-in-browser.ts';

/** Lowercase letters, digits, '-', '_' and '.', starting with a letter or digit (core's TAG_PATTERN). */
export const TAG_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
const TAG_MESSAGE =
  "lowercase letters, digits, '-', '_' and '.' only, starting with a letter or digit";
export const MAX_TAGS = 16;
export const MAX_TAG_CHARS = 32;
export const MAX_NOTE_CHARS = 4000;

/** One tag as a filter takes it: trimmed; undefined when it is not a tag. */
export function tagOrUndefined(text: string | undefined): string | undefined {
  const tag = text?.trim();
  return tag && tag.length <= MAX_TAG_CHARS && TAG_PATTERN.test(tag) ? tag : undefined;
}

export const annotationFieldsSchema = z.object({
  id: z.string().min(1, 'which experiment?').max(100),
  // Typed as one line: tags separated by commas or spaces.
  tags: z
    .string()
    .max(MAX_TAGS * (MAX_TAG_CHARS + 2), 'too long for 16 tags')
    .transform((text, ctx) => {
      const tags: string[] = [];
      for (const part of text.split(/[\s,]+/).filter((p) => p !== '')) {
        if (part.length > MAX_TAG_CHARS || !TAG_PATTERN.test(part)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${part.slice(0, 40)}": ${part.length > MAX_TAG_CHARS ? `at most ${MAX_TAG_CHARS} characters` : TAG_MESSAGE}`,
          });
          return z.NEVER;
        }
        if (!tags.includes(part)) tags.push(part);
      }
      if (tags.length > MAX_TAGS) {
        ctx.addIssue({ code: 'custom', message: `at most ${MAX_TAGS} tags per experiment` });
        return z.NEVER;
      }
      return tags;
    }),
  // A form sends a textarea's line breaks as CRLF; the note keeps them as LF, and is measured so.
  note: z
    .string()
    .transform((text) => text.replace(/\r\n?/g, '\n'))
    .pipe(z.string().max(MAX_NOTE_CHARS, `at most ${MAX_NOTE_CHARS} characters`)),
});
export type AnnotationFields = z.output<typeof annotationFieldsSchema>;

/** Field → first message, for showing beside each input. */
export interface AnnotationErrors {
  tags?: string;
  note?: string;
}

export function annotationErrors(error: z.ZodError): AnnotationErrors {
  const out: AnnotationErrors = {};
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (field === 'tags' || field === 'note') out[field] ??= issue.message;
  }
  return out;
}
