'use client';

import { download, toCsv } from './to-csv.ts';

/** "Download CSV" for a table: the raw numbers (not the rounded text) of every row. */
export function CsvButton({
  fileName,
  header,
  rows,
  label = 'CSV',
}: {
  fileName: string;
  header: string[];
  rows: (string | number | boolean | null)[][];
  label?: string;
}) {
  return (
    <button
      type="button"
      className="export"
      aria-label={`Download ${fileName} as CSV`}
      onClick={() =>
        download(new Blob([toCsv(header, rows)], { type: 'text/csv;charset=utf-8' }), fileName)
      }
    >
      {label}
    </button>
  );
}
