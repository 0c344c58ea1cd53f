'use client';

import { useMemo, useState } from 'react';
import { SortableHeader } from '@/components/sortable-header.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import { percent, percentPoints, pValue } from '@/lib/format.ts';

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

/** Nulls (undefined numbers) last whatever the direction, so they never hide the real values. */
function compare(key: SortKey, direction: 'asc' | 'desc') {
  const sign = direction === 'asc' ? 1 : -1;
  return (a: Row, b: Row) => {
    const x = a[key];
    const y = b[key];
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === 'string' || typeof y === 'string')
      return sign * String(x).localeCompare(String(y));
    return sign * (x - y) || a.classIndex - b.classIndex;
  };
}

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
  const [sortKey, setSortKey] = useState<SortKey>('delta');
  const [direction, setDirection] = useState<'asc' | 'desc'>('asc');
  const choice = choices[Math.min(chosen, choices.length - 1)];
  const sorted = useMemo(() => {
    if (!choice) return [];
    const rows: Row[] = classNames.map((className, c) => ({
      classIndex: c,
      className,
      accuracyReference: choice.accuracyReference[c] ?? null,
      accuracy: choice.accuracy[c] ?? null,
      delta: choice.delta[c] ?? null,
      adjustedP: choice.adjustedP[c] ?? null,
    }));
    return rows.sort(compare(sortKey, direction));
  }, [choice, classNames, sortKey, direction]);
  if (!choice) return null;
  const sortBy = (key: SortKey) => {
    if (key === sortKey) setDirection((d) => (d === 'asc' ? 'desc' : 'asc'));
    else {
      setSortKey(key);
      setDirection('asc');
    }
  };
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
