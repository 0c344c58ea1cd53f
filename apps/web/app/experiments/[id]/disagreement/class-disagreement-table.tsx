'use client';

import { useMemo, useState } from 'react';
import { CsvButton } from '@/export/csv-button.tsx';
import type { DisagreementRow } from '@/lib/disagreement.ts';
import { percent } from '@/lib/format.ts';

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

/** Nulls (a class without examples) last whatever the direction. */
function compare(key: SortKey, direction: 'asc' | 'desc') {
  const sign = direction === 'asc' ? 1 : -1;
  return (a: DisagreementRow, b: DisagreementRow) => {
    const x = value(a, key);
    const y = value(b, key);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === 'string' || typeof y === 'string')
      return sign * String(x).localeCompare(String(y));
    return sign * (x - y) || a.classIndex - b.classIndex;
  };
}

/** Every class's disagreement between the two arms, most first, sortable by any column. */
export function ClassDisagreementTable({
  rows,
  fileName,
}: {
  rows: readonly DisagreementRow[];
  fileName: string;
}) {
  const [sortKey, setSortKey] = useState<SortKey>('mean');
  const [direction, setDirection] = useState<'asc' | 'desc'>('desc');
  const sorted = useMemo(
    () => [...rows].sort(compare(sortKey, direction)),
    [rows, sortKey, direction],
  );
  const sortBy = (key: SortKey) => {
    if (key === sortKey) setDirection((d) => (d === 'asc' ? 'desc' : 'asc'));
    else {
      setSortKey(key);
      setDirection(key === 'className' ? 'asc' : 'desc');
    }
  };
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
                <th
                  key={c.key}
                  scope="col"
                  className={c.numeric ? 'num' : undefined}
                  aria-sort={
                    sortKey === c.key ? (direction === 'asc' ? 'ascending' : 'descending') : 'none'
                  }
                >
                  <button
                    type="button"
                    className="sort"
                    onClick={() => sortBy(c.key)}
                    data-testid={`disagreement-sort-${c.key}`}
                  >
                    {c.label}
                    {sortKey === c.key ? (direction === 'asc' ? ' ▲' : ' ▼') : ''}
                  </button>
                </th>
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
