import type { Estimate } from '@kdlens/metrics';
import { csvCell } from './csv-cell.ts';
import type { ReportCell, ReportColumn, ReportTable } from './report-table.ts';

export const reportFormats = ['table', 'markdown', 'csv', 'json'] as const;
export type ReportFormat = (typeof reportFormats)[number];

function isEstimate(cell: ReportCell): cell is Estimate {
  return typeof cell === 'object' && cell !== null;
}

function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}

/** For people: percentages with two decimals, other estimates with four; "—" when undefined. */
function show(cell: ReportCell, column: ReportColumn): string {
  if (cell === null) return '—';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number')
    return column.kind === 'count' ? String(cell) : String(Number(cell.toPrecision(6)));
  const [scale, digits] = column.kind === 'percent-estimate' ? [100, 2] : [1, 4];
  const m = fixed(cell.mean * scale, digits);
  const sd = Number.isFinite(cell.sd) ? ` ± ${fixed(cell.sd * scale, digits)}` : '';
  const ci = Number.isFinite(cell.lower)
    ? ` [${fixed(cell.lower * scale, digits)}, ${fixed(cell.upper * scale, digits)}]`
    : '';
  return `${m}${sd}${ci}`;
}

function renderText(tables: readonly ReportTable[]): string {
  return tables
    .map((t) => {
      const cells = [
        t.columns.map((c) => c.name),
        ...t.rows.map((r) => r.map((cell, i) => show(cell, t.columns[i] as ReportColumn))),
      ];
      const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
      const line = (r: string[]) =>
        r
          .map((v, i) =>
            t.columns[i]?.kind === 'text' ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0),
          )
          .join('  ')
          .trimEnd();
      const [head, ...body] = cells;
      return [
        t.title,
        line(head ?? []),
        widths.map((w) => '-'.repeat(w)).join('  '),
        ...body.map(line),
      ].join('\n');
    })
    .join('\n\n');
}

function renderMarkdown(tables: readonly ReportTable[]): string {
  const escapePipe = (v: string) => v.replaceAll('|', '\\|');
  return tables
    .map((t) => {
      const head = `| ${t.columns.map((c) => escapePipe(c.name)).join(' | ')} |`;
      const rule = `|${t.columns.map((c) => (c.kind === 'text' ? ' --- ' : ' ---: ')).join('|')}|`;
      const body = t.rows.map(
        (r) =>
          `| ${r.map((cell, i) => escapePipe(show(cell, t.columns[i] as ReportColumn))).join(' | ')} |`,
      );
      return [`### ${t.title}`, '', head, rule, ...body].join('\n');
    })
    .join('\n\n');
}

/** Estimates become four raw columns (mean, sd, lower, upper) so a spreadsheet can use them. */
function csvColumns(column: ReportColumn): string[] {
  return column.kind === 'estimate' || column.kind === 'percent-estimate'
    ? ['mean', 'sd', 'lower', 'upper'].map((s) => `${column.name} ${s}`)
    : [column.name];
}

function csvCells(cell: ReportCell, column: ReportColumn): (string | number | null)[] {
  if (column.kind === 'estimate' || column.kind === 'percent-estimate') {
    return isEstimate(cell)
      ? [cell.mean, cell.sd, cell.lower, cell.upper]
      : [null, null, null, null];
  }
  return [isEstimate(cell) ? null : cell];
}

/**
 * One CSV section per table, each headed by a `# title` line, separated by a blank line. The
 * title line is a field too: it holds attribute names, and a comma in one would otherwise start
 * a new cell that a spreadsheet could evaluate.
 */
function renderCsv(tables: readonly ReportTable[]): string {
  return tables
    .map((t) => {
      const head = t.columns.flatMap(csvColumns).map(csvCell).join(',');
      const body = t.rows.map((r) =>
        r
          .flatMap((cell, i) => csvCells(cell, t.columns[i] as ReportColumn))
          .map(csvCell)
          .join(','),
      );
      return [csvCell(`# ${t.title}`), head, ...body].join('\n');
    })
    .join('\n\n');
}

function renderJson(tables: readonly ReportTable[]): string {
  const json = tables.map((t) => ({
    title: t.title,
    rows: t.rows.map((r) =>
      Object.fromEntries(
        r.map((cell, i) => {
          const value = isEstimate(cell)
            ? { mean: cell.mean, sd: cell.sd, lower: cell.lower, upper: cell.upper }
            : cell;
          return [t.columns[i]?.name ?? String(i), value];
        }),
      ),
    ),
  }));
  // NaN is not JSON; undefined quantities (e.g. sd of one seed) become null.
  return JSON.stringify(
    json,
    (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  );
}

export function renderReport(tables: readonly ReportTable[], format: ReportFormat): string {
  switch (format) {
    case 'table':
      return renderText(tables);
    case 'markdown':
      return renderMarkdown(tables);
    case 'csv':
      return renderCsv(tables);
    case 'json':
      return renderJson(tables);
  }
}
