import { csvCell } from '@kdlens/core/csv-cell';

export type CsvValue = string | number | boolean | null | undefined;

/**
 * RFC 4180 CSV with CRLF line ends. Each field goes through csvCell, the same function as
 * `kdlens report --format csv`: class and group names come from whoever imported the study, and
 * one named `=HYPERLINK(…)` must reach the spreadsheet as text.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** Saves a Blob under `fileName` through a temporary link (the browser's own download). */
export function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke later: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
