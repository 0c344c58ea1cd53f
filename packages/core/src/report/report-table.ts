import type { Estimate } from '@kdlens/metrics';

/**
 * How a column's values are shown: a plain-text or Markdown report formats them for people
 * (percentages, "mean ± sd [CI]"), CSV and JSON keep the raw numbers.
 */
export type ColumnKind = 'text' | 'count' | 'number' | 'estimate' | 'percent-estimate';

export interface ReportColumn {
  name: string;
  kind: ColumnKind;
}

export type ReportCell = string | number | Estimate | null;

export interface ReportTable {
  title: string;
  columns: ReportColumn[];
  rows: ReportCell[][];
}
