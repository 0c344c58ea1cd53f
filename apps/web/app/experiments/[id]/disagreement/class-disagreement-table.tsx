'use client';

import { SortableHeader } from '@/components/sortable-header.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import type { DisagreementRow } from '@/lib/disagreement.ts';
import { percent } from '@/lib/format.ts';
import { useTableSort } from '@/lib/table-sort.ts';

type SortKey = 'className' | 'examples' | 'mean' | 'lower' | 'upper';

const columns: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'className', label: 'class', numeric: false },
  { key: 'examples', label: 'examples', numeric: true },
  { key: 'mean', label: 'disagreement', numeric: true },
  { key: 'lower', label: 'CI low', numeric: true },
  { key: 'upper', label: 'CI high', numeric: true },
];

function value(row: DisagreementRow, key: SortKey): string | number | null {
  switch (key) {
    case 'className':
      return row.className;
    case 'examples':
      return row.examples;
    default:
      return row.estimate[key];
  }
}

const position = (row: DisagreementRow) => row.classIndex;

/** Every class's disagreement between the two arms, most first, sortable by any column. */
export function ClassDisagreementTable({
  rows,
  fileName,
}: {
  rows: readonly DisagreementRow[];
  fileName: string;
}) {
  // Nulls (a class without examples) last whatever the direction.
  const { sorted, sortKey, direction, sortBy } = useTableSort<DisagreementRow, SortKey>(rows, {
    initialKey: 'mean',
    initialDirection: 'desc',
    firstDirection: (key) => (key === 'className' ? 'asc' : 'desc'),
    value,
    position,
  });
  return (
    <section aria-labelledby="class-disagreement-title" data-testid="class-disagreement">
      <div className="section-heading">
        <h3 id="class-disagreement-title">Per class</h3>
        <div className="export-bar">
          <CsvButton
            fileName={fileName}
            header={['class', 'examples', 'disagreement', 'lower', 'upper', 'sd']}
            rows={sorted.map((r) => [
              r.className,
              r.examples,
              r.estimate.mean,
              r.estimate.lower,
              r.estimate.upper,
              r.estimate.sd,
            ])}
          />
        </div>
      </div>
      <div className="table-wrap">
        <table data-testid="class-disagreement-table">
          <caption className="visually-hidden">
            Disagreement per class with bootstrap intervals over seeds
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
                  testId={`disagreement-sort-${c.key}`}
                />
              ))}
            </tr>
          </thead>
          <tbody>
            {sorted.map((r) => (
              <tr key={r.classIndex} data-testid="class-disagreement-row">
                <th scope="row">{r.className}</th>
                <td className="num">{r.examples}</td>
                <td className="num">{percent(r.estimate.mean)}</td>
                <td className="num">{percent(r.estimate.lower)}</td>
                <td className="num">{percent(r.estimate.upper)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
