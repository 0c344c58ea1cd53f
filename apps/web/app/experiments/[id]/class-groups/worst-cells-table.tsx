'use client';

import { SortableHeader } from '@/components/sortable-header.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import type { WorstCell } from '@/lib/class-group-matrix.ts';
import { percent, percentPoints, pValue } from '@/lib/format.ts';
import { useTableSort } from '@/lib/table-sort.ts';

type SortKey =
  | 'className'
  | 'group'
  | 'examples'
  | 'accuracyFrom'
  | 'accuracyTo'
  | 'delta'
  | 'upper'
  | 'adjustedP';

const columns: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'className', label: 'class', numeric: false },
  { key: 'group', label: 'group', numeric: false },
  { key: 'examples', label: 'examples', numeric: true },
  { key: 'accuracyFrom', label: 'before', numeric: true },
  { key: 'accuracyTo', label: 'after', numeric: true },
  { key: 'delta', label: 'change', numeric: true },
  { key: 'upper', label: 'CI', numeric: true },
  { key: 'adjustedP', label: 'adjusted p', numeric: true },
];

const cellValue = (cell: WorstCell, key: SortKey) => cell[key];
const cellPosition = (cell: WorstCell) => cell.cell;

/**
 * The cells that lost most from the baseline to the distilled arm, as the API ranked them
 * (largest drop first), sortable by any column; the interval is the Welch CI of the change.
 */
export function WorstCellsTable({
  cells,
  confidence,
  fileName,
}: {
  cells: readonly WorstCell[];
  confidence: number;
  fileName: string;
}) {
  const { sorted, sortKey, direction, sortBy } = useTableSort<WorstCell, SortKey>(cells, {
    initialKey: 'delta',
    initialDirection: 'asc',
    firstDirection: () => 'asc',
    value: cellValue,
    position: cellPosition,
  });
  return (
    <section aria-labelledby="worst-cells-title" data-testid="worst-cells">
      <div className="section-heading">
        <h3 id="worst-cells-title">Cells that lost most</h3>
        <div className="export-bar">
          <CsvButton
            fileName={fileName}
            header={[
              'class',
              'group',
              'examples',
              'accuracy_before',
              'accuracy_after',
              'delta',
              'lower',
              'upper',
              'adjusted_p',
              'significant',
            ]}
            rows={sorted.map((c) => [
              c.className,
              c.group,
              c.examples,
              c.accuracyFrom,
              c.accuracyTo,
              c.delta,
              c.lower,
              c.upper,
              c.adjustedP,
              c.significant,
            ])}
          />
        </div>
      </div>
      <div className="table-wrap">
        <table data-testid="worst-cells-table">
          <caption className="visually-hidden">
            Class × group cells by change of accuracy, with {Math.round(confidence * 100)}% Welch
            intervals
          </caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <SortableHeader
                  key={c.key}
                  label={c.label}
                  numeric={c.numeric}
                  direction={sortKey === c.key ? direction : undefined}
                  onSort={() => sortBy(c.key)}
                  testId={`worst-sort-${c.key}`}
                />
              ))}
            </tr>
          </thead>
          <tbody>
            {sorted.map((c) => (
              <tr key={c.cell} data-testid="worst-cell-row">
                <th scope="row">{c.className}</th>
                <td>{c.group}</td>
                <td className="num">{c.examples}</td>
                <td className="num">{percent(c.accuracyFrom)}</td>
                <td className="num">{percent(c.accuracyTo)}</td>
                <td className="num">
                  {c.significant ? (
                    <strong>{percentPoints(c.delta)}</strong>
                  ) : (
                    percentPoints(c.delta)
                  )}
                </td>
                <td className="num">
                  [{percentPoints(c.lower)}, {percentPoints(c.upper)}]
                </td>
                <td className="num">{pValue(c.adjustedP)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
