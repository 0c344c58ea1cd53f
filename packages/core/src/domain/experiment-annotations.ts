import { z } from 'zod';
import { KdlensError } from '../errors.ts';

/** Bounds of an experiment's tags and note; the warehouse's checks repeat the counts. */
export const annotationLimits = {
  /** Characters per tag. */
  tagChars: 32,
  tagsPerExperiment: 16,
  noteChars: 4000,
} as const;

/** Lowercase letters, digits, '-', '_' and '.', starting with a letter or digit. */
export const TAG_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

const tagSchema = z
  .string()
  .trim()
  .min(1, 'a tag cannot be empty')
  .max(annotationLimits.tagChars, `at most ${annotationLimits.tagChars} characters`)
  .regex(
    TAG_PATTERN,
    "lowercase letters, digits, '-', '_' and '.' only, starting with a letter or digit",
  );

/** One tag, as a filter argument names it. */
export const experimentTagSchema = tagSchema;

/**
 * Tags and note as an operator sets them: tags trimmed and de-duplicated (first occurrence
 * kept, in the order given), a blank note stored as none.
 */
export const experimentAnnotationsSchema = z.object({
  tags: z
    .array(tagSchema)
    .max(
      annotationLimits.tagsPerExperiment,
      `at most ${annotationLimits.tagsPerExperiment} tags per experiment`,
    )
    .transform((tags) => [...new Set(tags)]),
  note: z
    .string()
    .max(annotationLimits.noteChars, `at most ${annotationLimits.noteChars} characters`)
    .nullable()
    .transform((note) => (note === null || note.trim() === '' ? null : note)),
});

export type ExperimentAnnotations = z.output<typeof experimentAnnotationsSchema>;

/** Annotations that failed validation; `field` names the first bad one (`tags[2]`, `note`). */
export class AnnotationError extends KdlensError {
  override readonly name = 'AnnotationError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** Parses tags and a note from any caller (API, CLI), or throws AnnotationError naming the field. */
export function parseExperimentAnnotations(input: unknown): ExperimentAnnotations {
  const parsed = experimentAnnotationsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new AnnotationError(fieldPath(issue?.path ?? []), issue?.message ?? 'invalid');
}

/** Parses one tag (a filter value), or throws AnnotationError naming `field`. */
export function parseExperimentTag(input: unknown, field: string): string {
  const parsed = tagSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new AnnotationError(field, parsed.error.issues[0]?.message ?? 'invalid');
}

function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    text += typeof part === 'number' ? `[${part}]` : `${text === '' ? '' : '.'}${String(part)}`;
  }
  return text === '' ? 'annotations' : text;
}
