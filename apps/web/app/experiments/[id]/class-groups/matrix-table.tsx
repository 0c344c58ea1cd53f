'use client';

import { useState } from 'react';
import { percent, percentPoints } from '@/lib/format.ts';

/**
 * The class × group matrix as a table, folded away by default above 50 classes. Its rows are
 * built in the browser only once it is opened: 1000 classes × 8 groups are 8000 cells the page
 * need not send or lay out for a reader who looks at the heatmap.
 */
export function MatrixTable({
  classNames,
  groups,
  values,
  kind,
  heading,
}: {
  classNames: readonly string[];
  groups: readonly string[];
  /** Class-major: entry c × groups + g; null for an empty cell. */
  values: readonly (number | null)[];
  kind: 'change' | 'accuracy';
  heading: string;
}) {
  const [open, setOpen] = useState(classNames.length <= 50);
  const numGroups = groups.length;
  const format = kind === 'accuracy' ? percent : percentPoints;
  return (
    <details
      className="matrix-details"
      open={open}
      onToggle={(e) => setOpen((e.currentTarget as { open: boolean }).open)}
    >
      <summary>The matrix as a table</summary>
      {open && (
        <div className="table-wrap">
          <table className="heatmap-table" data-testid="class-group-table">
            <caption className="visually-hidden">{heading}</caption>
            <thead>
              <tr>
                <th scope="col">class</th>
                {groups.map((g) => (
                  <th key={g} scope="col" className="num">
                    {g}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {classNames.map((className, c) => (
                <tr key={className} data-testid="class-group-row">
                  <th scope="row">{className}</th>
                  {groups.map((g, j) => (
                    <td key={g} className="num">
                      {format(values[c * numGroups + j] ?? null)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
