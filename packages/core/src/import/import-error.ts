import { KdlensError } from '../errors.ts';

/** One thing wrong with an import file; line and column are 1-based when known. */
export interface ImportProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

/** How many problems the message lists; the rest are counted, not printed. */
const SHOWN = 20;

export function formatProblem(p: ImportProblem): string {
  const at =
    p.line === undefined
      ? p.file
      : `${p.file}:${p.line}${p.column === undefined ? '' : `:${p.column}`}`;
  return `${at}: ${p.message}`;
}

/**
 * Raised before anything is written: an import is validated as a whole first, so a bad file
 * never leaves part of a study in the warehouse.
 */
export class ImportError extends KdlensError {
  override readonly name = 'ImportError';
  constructor(readonly problems: readonly ImportProblem[]) {
    const shown = problems.slice(0, SHOWN).map(formatProblem);
    const more = problems.length > SHOWN ? [`… and ${problems.length - SHOWN} more problems`] : [];
    super(
      [
        `import failed: ${problems.length} problem${problems.length === 1 ? '' : 's'}, nothing was written`,
        ...shown,
        ...more,
      ].join('\n'),
    );
  }
}
