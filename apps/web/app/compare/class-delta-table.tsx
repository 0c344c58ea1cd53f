'use client';

import { useMemo, useState } from 'react';
import { SortableHeader } from '@/components/sortable-header.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import { percent, percentPoints, pValue } from '@/lib/format.ts';
import { useTableSort } from '@/lib/table-sort.ts';

/** One per-class delta as the page hands it over: an arm of one experiment against the reference. */
export interface DeltaChoice {
  /** "large-student − small-student: KD T=4". */
  title: string;
  /** A distilled arm: what distillation changed, so the table opens on the first one. */
  distilled: boolean;
  referenceName: string;
  name: string;
  accuracyReference: (number | null)[];
  accuracy: (number | null)[];
  delta: (number | null)[];
  adjustedP: (number | null)[];
  significantCount: number;
  testedCount: number;
}

interface Row {
  classIndex: number;
  className: string;
  accuracyReference: number | null;
  accuracy: number | null;
  delta: number | null;
  adjustedP: number | null;
}

type SortKey = 'className' | 'accuracyReference' | 'accuracy' | 'delta' | 'adjustedP';

const columns: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'className', label: 'class', numeric: false },
  { key: 'accuracyReference', label: 'reference', numeric: true },
  { key: 'accuracy', label: 'this experiment', numeric: true },
  { key: 'delta', label: 'change', numeric: true },
  { key: 'adjustedP', label: 'adjusted p', numeric: true },
];

const rowValue = (row: Row, key: SortKey) => row[key];
const rowPosition = (row: Row) => row.classIndex;

/**
 * Per-class accuracy of one arm in another experiment against the reference's, every class,
 * the largest drop first; sortable by any column, one delta at a time (chosen above the table,
 * the first distilled arm to begin with).
 */
export function ClassDeltaTable({
  choices,
  classNames,
  alpha,
  correction,
}: {
  choices: readonly DeltaChoice[];
  classNames: readonly string[];
  alpha: number;
  correction: string;
}) {
  const [chosen, setChosen] = useState(() =>
    Math.max(
      0,
      choices.findIndex((c) => c.distilled),
    ),
  );
  const choice = choices[Math.min(chosen, choices.length - 1)];
  const rows = useMemo(() => {
    if (!choice) return [];
    const built: Row[] = classNames.map((className, c) => ({
      classIndex: c,
      className,
      accuracyReference: choice.accuracyReference[c] ?? null,
      accuracy: choice.accuracy[c] ?? null,
      delta: choice.delta[c] ?? null,
      adjustedP: choice.adjustedP[c] ?? null,
    }));
    return built;
  }, [choice, classNames]);
  const { sorted, sortKey, direction, sortBy } = useTableSort<Row, SortKey>(rows, {
    initialKey: 'delta',
    initialDirection: 'asc',
    firstDirection: () => 'asc',
    value: rowValue,
    position: rowPosition,
  });
  if (!choice) return null;
  return (
    <div data-testid="class-deltas">
      <div className="filters">
        <label>
          Delta
          <select
            value={chosen}
            onChange={(e) => setChosen(Number(e.target.value))}
            data-testid="delta-choice"
          >
            {choices.map((c, i) => (
              <option key={c.title} value={i}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
        <CsvButton
          fileName={`class-deltas-${choice.title.replace(/[^A-Za-z0-9_.-]+/g, '-')}.csv`}
          header={['class', 'accuracy_reference', 'accuracy', 'delta', 'adjusted_p']}
          rows={sorted.map((r) => [
            r.className,
            r.accuracyReference,
            r.accuracy,
            r.delta,
            r.adjustedP,
          ])}
        />
      </div>
      <p className="hint" data-testid="delta-summary">
        {choice.name} against {choice.referenceName}: {choice.significantCount} of{' '}
        {choice.testedCount} tested classes changed at α = {alpha} ({correction}); bold changes are
        significant. A side with one seed has no test.
      </p>
      <div className="table-wrap">
        <table data-testid="class-delta-table">
          <caption className="visually-hidden">
            Per-class accuracy, reference against this experiment, and the change
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
                  testId={`delta-sort-${c.key}`}
                />
              ))}
            </tr>
          </thead>
          <tbody>
            {sorted.map((r) => (
              <tr key={r.classIndex} data-testid="class-delta-row">
                <th scope="row">{r.className}</th>
                <td className="num">{percent(r.accuracyReference)}</td>
                <td className="num">{percent(r.accuracy)}</td>
                <td className="num">
                  {r.adjustedP !== null && r.adjustedP <= alpha ? (
                    <strong>{percentPoints(r.delta)}</strong>
                  ) : (
                    percentPoints(r.delta)
                  )}
                </td>
                <td className="num">{pValue(r.adjustedP)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
