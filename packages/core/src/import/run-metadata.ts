import { z } from 'zod';
import { runRoleSchema } from '../domain/run.ts';
import { importLimits } from './import-limits.ts';

/**
 * What identifies an imported run within its study. It comes from the file's header (`# role:
 * distilled` lines in CSV, a `{"run": {...}}` first line in JSON Lines) or from command-line
 * flags that apply to every file; the two must not disagree.
 */
export const runMetadataSchema = z
  .object({
    role: runRoleSchema,
    temperature: z.coerce.number().positive().optional(),
    seed: z.coerce.number().int(),
    architecture: z.string().min(1).optional(),
    /** Class names in class-index order; optional, defaults to the indices. */
    classes: z
      .union([
        z.array(z.string().min(1)),
        z.string().transform((s) => s.split(',').map((c) => c.trim())),
      ])
      .pipe(
        z.array(z.string()).max(importLimits.classes, `at most ${importLimits.classes} classes`),
      )
      .optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.role === 'distilled' && m.temperature === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['temperature'],
        message: 'a distilled run needs a temperature',
      });
    }
    if (m.role !== 'distilled' && m.temperature !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['temperature'],
        message: `only distilled runs have a temperature (role is ${m.role})`,
      });
    }
  });
export type RunMetadata = z.infer<typeof runMetadataSchema>;

/** Metadata keys as written by a user, before validation. */
export type RawMetadata = Record<string, unknown>;

/**
 * Merges flag values under the file's header; a key given both ways with different values is
 * an error rather than a silent override, because it almost always means the wrong file.
 */
export function mergeMetadata(
  header: RawMetadata,
  flags: RawMetadata,
): { merged: RawMetadata; conflicts: string[] } {
  const merged: RawMetadata = { ...flags };
  const conflicts: string[] = [];
  for (const [key, value] of Object.entries(header)) {
    const flag = flags[key];
    if (flag !== undefined && String(flag) !== String(value)) {
      conflicts.push(
        `${key} is '${String(value)}' in the file but '${String(flag)}' on the command line`,
      );
    }
    merged[key] = value;
  }
  return { merged, conflicts };
}

/** `a key: value` from a CSV comment line, or null for a comment that is not metadata. */
export function parseHeaderLine(text: string): [string, string] | null {
  const match = /^\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$/.exec(text);
  if (match === null) return null;
  const [, key, value] = match;
  return key === undefined || value === undefined ? null : [key, value];
}
