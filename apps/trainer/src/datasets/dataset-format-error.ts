import { KdlensError } from '@kdlens/core';

/**
 * A data file that does not follow its format: names the file and where in it (line, or byte
 * offset for binary formats), so the user can find and fix the record. Loaders never skip bad
 * records silently.
 */
export class DatasetFormatError extends KdlensError {
  override readonly name = 'DatasetFormatError';
  constructor(
    readonly file: string,
    readonly where: { line: number } | { byteOffset: number } | undefined,
    problem: string,
  ) {
    super(
      `${file}${where === undefined ? '' : 'line' in where ? `:${where.line}` : ` at byte ${where.byteOffset}`}: ${problem}`,
    );
  }
}
