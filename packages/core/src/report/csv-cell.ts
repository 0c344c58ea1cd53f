/**
 * A value as one CSV field. Strings a spreadsheet would take for a formula (starting with
 * = + - @, tab or carriage return: OWASP's "CSV Injection" rule) get a leading single quote,
 * so `=HYPERLINK(…)` in a class or group name stays text; then RFC 4180 quoting (a field with
 * a comma, quote or line break is quoted, quotes doubled). A semicolon or tab is quoted too:
 * spreadsheets in locales whose list separator is `;` split an unquoted `a;=cmd…` into two cells,
 * the second a formula. Numbers stay numbers, negative ones
 * included: only strings can carry a formula. Missing and non-finite numbers are empty.
 *
 * Imported by the web's CSV export through `@kdlens/core/csv-cell`, so this file must import
 * nothing: the browser bundle gets it as it is.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",;\t\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
