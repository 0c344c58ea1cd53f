'use client';

import * as Plot from '@observablehq/plot';
import { useCallback } from 'react';
import type { ClassComparisonRow } from '@/lib/class-comparison-row.ts';
import { palette } from './palette.ts';
import { PlotFigure } from './plot-figure.tsx';

interface Bar {
  rank: number;
  name: string;
  delta: number;
  significant: boolean;
}

/**
 * Every class's accuracy change B − A, sorted: how much moved, and in which direction. Bars sit
 * on a linear rank axis (not a band scale) so 1000 classes cost 1000 rects and no tick labels.
 */
export function DeltaBarsChart({
  rows,
  labelA,
  labelB,
  fileName,
}: {
  rows: readonly ClassComparisonRow[];
  labelA: string;
  labelB: string;
  fileName: string;
}) {
  const build = useCallback(
    (width: number) => {
      const bars: Bar[] = rows
        .flatMap((r) =>
          r.accuracyDelta === null
            ? []
            : [
                {
                  rank: 0,
                  name: r.className,
                  delta: r.accuracyDelta * 100,
                  significant: r.significant,
                },
              ],
        )
        .sort((x, y) => x.delta - y.delta);
      bars.forEach((bar, i) => {
        bar.rank = i;
      });
      return Plot.plot({
        width,
        height: 260,
        style: { fontSize: '12px' },
        x: {
          label: `classes, sorted by change (${bars.length}) →`,
          ticks: [],
          domain: [0, Math.max(1, bars.length)],
        },
        y: { label: `↑ ${labelB} − ${labelA} (pp)`, grid: true },
        color: { domain: [false, true], range: [palette.neutral, palette.significant] },
        marks: [
          Plot.rectY(bars, {
            x1: 'rank',
            x2: (d: Bar) => d.rank + 1,
            y: 'delta',
            fill: 'significant',
            inset: bars.length > 200 ? 0 : 0.5,
            tip: true,
            title: (d: Bar) =>
              `${d.name}: ${d.delta > 0 ? '+' : ''}${d.delta.toFixed(2)} pp${d.significant ? ' (significant)' : ''}`,
          }),
          Plot.ruleY([0]),
        ],
      });
    },
    [rows, labelA, labelB],
  );
  return (
    <PlotFigure
      title={`Change in class accuracy, ${labelB} − ${labelA}, sorted`}
      description="One bar per class, from the largest loss to the largest gain in percentage points; red bars are significant changes."
      fileName={fileName}
      build={build}
      testId="delta-bars"
    />
  );
}
