/**
 * PostgreSQL's wire protocol numbers bind parameters with 16 bits, so one statement takes at
 * most 65,535 of them; a multi-row insert over that fails outright. Rows are sent in chunks
 * that stay well under it (inside the caller's transaction, so it is still all or nothing).
 */
export const MAX_BIND_PARAMETERS = 65_535;

/** Splits rows into chunks of at most `maxParameters` bind parameters, `perRow` per row. */
export function insertChunks<T>(rows: readonly T[], perRow: number, maxParameters = 30_000): T[][] {
  if (!(perRow >= 1)) throw new Error(`insertChunks: perRow must be >= 1, not ${perRow}`);
  const size = Math.max(1, Math.floor(Math.min(maxParameters, MAX_BIND_PARAMETERS) / perRow));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

/** Bind parameters of one row object: one per column given (drizzle sends each as a parameter). */
export function parametersPerRow(row: object | undefined): number {
  return Math.max(1, row === undefined ? 1 : Object.keys(row).length);
}
