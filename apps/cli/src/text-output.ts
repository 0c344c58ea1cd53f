/** How every command prints: a result goes to stdout, as one JSON document with --json. */

/** One JSON document (pretty, so a person can read it too), for `--json`. */
export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns padded to their widest cell, two spaces apart, no trailing blanks. */
export function formatTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** `key  value` lines, keys padded to the widest, indented by two. */
export function formatFields(rows: readonly [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}\n`).join('');
}

/** A timestamp to the minute, UTC, as `2026-01-31 14:05`. */
export function minute(d: Date | null): string {
  return d ? d.toISOString().slice(0, 16).replace('T', ' ') : '-';
}
