'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { useSearchParams } from 'next/navigation';
import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { ClassScatterChart } from '@/charts/class-scatter-chart.tsx';
import { DeltaBarsChart } from '@/charts/delta-bars-chart.tsx';
import { SortableHeader } from '@/components/sortable-header.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import type { ClassComparisonRow } from '@/lib/class-comparison-row.ts';
import { percent, percentPoints, pValue } from '@/lib/format.ts';

type SortKey =
  | 'className'
  | 'accuracyA'
  | 'accuracyB'
  | 'accuracyDelta'
  | 'p'
  | 'adjustedP'
  | 'significant';
const sortKeys: readonly SortKey[] = [
  'className',
  'accuracyA',
  'accuracyB',
  'accuracyDelta',
  'p',
  'adjustedP',
  'significant',
];
type Direction = 'asc' | 'desc';

const ROW_HEIGHT = 33;

function isSortKey(text: string | null): text is SortKey {
  return sortKeys.some((k) => k === text);
}

/** Ascending order with missing values (untested classes) always last. */
function compareRows(key: SortKey, direction: Direction) {
  const sign = direction === 'asc' ? 1 : -1;
  return (x: ClassComparisonRow, y: ClassComparisonRow): number => {
    if (key === 'className') return sign * x.className.localeCompare(y.className);
    if (key === 'significant')
      return sign * (Number(x.significant) - Number(y.significant)) || x.classIndex - y.classIndex;
    const a = x[key];
    const b = y[key];
    if (a === null || b === null)
      return a === b ? x.classIndex - y.classIndex : a === null ? 1 : -1;
    return sign * (a - b) || x.classIndex - y.classIndex;
  };
}

/** Keeps the table's filter and sort in the URL without a server round trip. */
function useUrlState(values: Record<string, string | undefined>) {
  const serialized = JSON.stringify(values);
  useEffect(() => {
    const url = new URL(window.location.href);
    for (const [key, value] of Object.entries(
      JSON.parse(serialized) as Record<string, string | undefined>,
    )) {
      if (value === undefined || value === '') url.searchParams.delete(key);
      else url.searchParams.set(key, value);
    }
    if (url.href !== window.location.href)
      window.history.replaceState(window.history.state, '', url);
  }, [serialized]);
}

const columns: { key: SortKey; label: (a: string, b: string) => string; numeric: boolean }[] = [
  { key: 'className', label: () => 'class', numeric: false },
  { key: 'accuracyA', label: (a) => `accuracy ${a}`, numeric: true },
  { key: 'accuracyB', label: (_a, b) => `accuracy ${b}`, numeric: true },
  { key: 'accuracyDelta', label: () => 'Δ accuracy (B − A)', numeric: true },
  { key: 'p', label: () => 'p', numeric: true },
  { key: 'adjustedP', label: () => 'adjusted p', numeric: true },
  { key: 'significant', label: () => 'significant', numeric: false },
];

/**
 * Every class of the comparison: a sortable, filterable table that renders only the rows on
 * screen (1000 classes stay instant), a scatter of A against B and the sorted changes.
 */
export function ClassExplorer({
  rows,
  labelA,
  labelB,
  alpha,
  significantCount,
  testedCount,
  correctionLabel,
  fileStem,
}: {
  rows: ClassComparisonRow[];
  labelA: string;
  labelB: string;
  alpha: number;
  significantCount: number;
  testedCount: number;
  correctionLabel: string;
  fileStem: string;
}) {
  const search = useSearchParams();
  const [query, setQuery] = useState(search.get('q') ?? '');
  const [significantOnly, setSignificantOnly] = useState(search.get('sig') === '1');
  const initialSort = search.get('sort');
  const [sortKey, setSortKey] = useState<SortKey>(
    isSortKey(initialSort) ? initialSort : 'accuracyDelta',
  );
  const [direction, setDirection] = useState<Direction>(
    search.get('dir') === 'asc' ? 'asc' : 'desc',
  );
  useUrlState({
    q: query || undefined,
    sig: significantOnly ? '1' : undefined,
    sort: sortKey === 'accuracyDelta' ? undefined : sortKey,
    dir: direction === 'desc' ? undefined : direction,
  });

  const visible = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return rows
      .filter(
        (r) =>
          (!significantOnly || r.significant) &&
          (needle === '' || r.className.toLowerCase().includes(needle)),
      )
      .sort(compareRows(sortKey, direction));
  }, [rows, query, significantOnly, sortKey, direction]);
  // The charts follow the filter a beat behind the table, so typing stays smooth.
  const chartRows = useDeferredValue(visible);

  const scroller = useRef<HTMLElement>(null);
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Lets the server render the first screenful before the browser measures anything.
    initialRect: { width: 800, height: 560 },
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

  const sortBy = (key: SortKey) => {
    if (key === sortKey) setDirection((d) => (d === 'asc' ? 'desc' : 'asc'));
    else {
      setSortKey(key);
      setDirection(key === 'className' ? 'asc' : 'desc');
    }
    scroller.current?.scrollTo({ top: 0 });
  };

  return (
    <div data-testid="class-explorer" data-ready={ready ? 'true' : 'false'}>
      <p className="summary" data-testid="significant-summary">
        <strong>{significantCount}</strong> of {testedCount} tested classes changed significantly
        between {labelA} (A) and {labelB} (B) at α = {alpha} ({correctionLabel}). The test (Welch,
        over seeds) compares each class's accuracy relative to the model's overall accuracy, as the
        paper does; the Δ column shows the plain change in class accuracy, so a class can gain
        accuracy and still fall behind relative to the rest.
      </p>
      <div className="chart-grid">
        <ClassScatterChart
          rows={chartRows}
          labelA={labelA}
          labelB={labelB}
          fileName={`${fileStem}-scatter`}
        />
        <DeltaBarsChart
          rows={chartRows}
          labelA={labelA}
          labelB={labelB}
          fileName={`${fileStem}-deltas`}
        />
      </div>
      <search className="filters">
        <label>
          Class name contains
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            data-testid="class-filter"
          />
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={significantOnly}
            onChange={(e) => setSignificantOnly(e.target.checked)}
            data-testid="significant-only"
          />
          significant only
        </label>
        <span className="meta" aria-live="polite" data-testid="visible-count">
          {visible.length} of {rows.length} classes
        </span>
        <CsvButton
          fileName={`${fileStem}.csv`}
          header={[
            'class_index',
            'class',
            'accuracy_a',
            'accuracy_b',
            'delta',
            'p',
            'adjusted_p',
            'significant',
          ]}
          rows={visible.map((r) => [
            r.classIndex,
            r.className,
            r.accuracyA,
            r.accuracyB,
            r.accuracyDelta,
            r.p,
            r.adjustedP,
            r.significant,
          ])}
        />
      </search>
      <section
        ref={scroller}
        className="virtual-scroller"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: keyboard users scroll the table with it
        tabIndex={0}
        aria-label={`Classes, ${labelA} vs ${labelB}; scroll for more`}
      >
        <table data-testid="class-table" aria-rowcount={visible.length + 1}>
          <thead>
            <tr aria-rowindex={1}>
              {columns.map((c) => (
                <SortableHeader
                  key={c.key}
                  label={c.label(labelA, labelB)}
                  numeric={c.numeric}
                  direction={sortKey === c.key ? direction : undefined}
                  onSort={() => sortBy(c.key)}
                  testId={`sort-${c.key}`}
                />
              ))}
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr>
                <td colSpan={columns.length} style={{ height: padTop, padding: 0, border: 0 }} />
              </tr>
            )}
            {items.map((item) => {
              const r = visible[item.index];
              if (!r) return null;
              return (
                <tr
                  key={r.classIndex}
                  aria-rowindex={item.index + 2}
                  className={r.significant ? 'significant' : undefined}
                  data-testid="class-row"
                  style={{ height: ROW_HEIGHT }}
                >
                  <th scope="row">{r.className}</th>
                  <td className="num">{percent(r.accuracyA)}</td>
                  <td className="num">{percent(r.accuracyB)}</td>
                  <td className="num">{percentPoints(r.accuracyDelta)}</td>
                  <td className="num">{pValue(r.p)}</td>
                  <td className="num">{pValue(r.adjustedP)}</td>
                  <td>{r.significant ? 'yes' : 'no'}</td>
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr>
                <td colSpan={columns.length} style={{ height: padBottom, padding: 0, border: 0 }} />
              </tr>
            )}
          </tbody>
        </table>
        {visible.length === 0 && <p className="empty">No class matches the filter.</p>}
      </section>
    </div>
  );
}
