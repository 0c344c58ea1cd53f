/**
 * The tables and formats the API's GET /export/<experiment>/<table>.<format> serves, as the
 * Download menu offers them. An allowlist, so the web's export route forwards nothing else: the
 * web may not import @kdlens/core's list, and test/integration/web-export-import.test.ts fails
 * until the menu lists exactly core's tables.
 */
export const exportTables = [
  { table: 'predictions', label: 'Predictions (per run and example)' },
  { table: 'class-accuracy', label: 'Class accuracy (per run and class)' },
  { table: 'class-comparison', label: 'Class comparison (per arm pair and class)' },
  { table: 'significance', label: 'Significance (SC and TC per temperature)' },
  { table: 'groups', label: 'Groups (per run, attribute and group)' },
  { table: 'fairness', label: 'Fairness (DPD and EOD per arm)' },
  { table: 'runs', label: 'Runs (settings, timings, accuracy)' },
] as const;

export const exportFormats = [
  { format: 'csv', label: 'CSV' },
  { format: 'parquet', label: 'Parquet' },
  { format: 'jsonl', label: 'JSON Lines' },
] as const;

export type ExportTable = (typeof exportTables)[number]['table'];
export type ExportFormat = (typeof exportFormats)[number]['format'];

const tables = new Set<string>(exportTables.map((t) => t.table));
const formats = new Set<string>(exportFormats.map((f) => f.format));

/** `class-comparison.csv` → its table and format; null for anything the menu does not offer. */
export function parseExportFile(file: string): { table: ExportTable; format: ExportFormat } | null {
  const dot = file.lastIndexOf('.');
  const table = file.slice(0, dot);
  const format = file.slice(dot + 1);
  if (dot <= 0 || !tables.has(table) || !formats.has(format)) return null;
  return { table: table as ExportTable, format: format as ExportFormat };
}

/** The web's own download URL for a table: the browser never talks to the API. */
export function exportHref(experimentId: string, table: ExportTable, format: ExportFormat): string {
  return `/experiments/${encodeURIComponent(experimentId)}/export/${table}.${format}`;
}

/** Query parameters the API's export takes (class-comparison, significance); others are dropped. */
export const exportQueryParameters = ['alpha', 'statistic'] as const;
