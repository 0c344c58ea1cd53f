'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { type ImportOutcome, importPredictions } from '@/lib/import-predictions.ts';

const importInputSchema = z.object({
  experiment: z.string().trim().min(1, { error: 'give the experiment a name' }),
  files: z
    .array(z.object({ name: z.string().min(1), content: z.string() }))
    .min(1, { error: 'choose at least one prediction file' }),
});

/**
 * Parses what the import form sends (the files' text, read in the browser), then asks the API
 * to import it; the API checks every file and writes all or nothing.
 */
export async function importFiles(input: unknown): Promise<ImportOutcome> {
  const parsed = importInputSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      message: parsed.error.issues.map((i) => i.message).join('; '),
      problems: [],
    };
  }
  const outcome = await importPredictions(parsed.data.experiment, parsed.data.files);
  if (outcome.ok) revalidatePath('/experiments', 'layout');
  return outcome;
}
