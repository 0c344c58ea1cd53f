'use client';

import * as Plot from '@observablehq/plot';
import { useCallback } from 'react';
import type { ClassComparisonRow } from '@/lib/class-comparison-row.ts';
import { palette } from './palette.ts';
import { PlotFigure } from './plot-figure.tsx';

interface Dot {
  name: string;
  a: number;
  b: number;
  significant: boolean;
}

/**
 * Class accuracy under arm A against arm B, one dot per class: dots off the diagonal moved, red
 * ones significantly. One SVG circle per class stays fast at ImageNet's 1000 classes.
 */
export function ClassScatterChart({
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
      const dots: Dot[] = [];
      for (const r of rows) {
        if (r.accuracyA === null || r.accuracyB === null) continue;
        dots.push({
          name: r.className,
          a: r.accuracyA * 100,
          b: r.accuracyB * 100,
          significant: r.significant,
        });
      }
      // Significant classes last, so they are drawn on top.
      dots.sort((x, y) => Number(x.significant) - Number(y.significant));
      const side = Math.min(width, 420);
      return Plot.plot({
        width: side,
        height: side,
        style: { fontSize: '12px' },
        x: { label: `${labelA} class accuracy (%) →`, domain: [0, 100], grid: true },
        y: { label: `↑ ${labelB} class accuracy (%)`, domain: [0, 100], grid: true },
        color: { domain: [false, true], range: [palette.neutral, palette.significant] },
        marks: [
          Plot.link([0], {
            x1: 0,
            y1: 0,
            x2: 100,
            y2: 100,
            stroke: palette.neutral,
            strokeDasharray: '3,3',
          }),
          Plot.dot(dots, {
            x: 'a',
            y: 'b',
            fill: 'significant',
            fillOpacity: 0.75,
            r: 3,
            tip: true,
            title: (d: Dot) =>
              `${d.name}\n${labelA}: ${d.a.toFixed(1)}%\n${labelB}: ${d.b.toFixed(1)}%${d.significant ? '\nsignificant' : ''}`,
          }),
        ],
      });
    },
    [rows, labelA, labelB],
  );
  return (
    <PlotFigure
      title={`Class accuracy: ${labelA} vs ${labelB}`}
      description="One dot per class; the dashed diagonal means no change; red dots are classes whose change is statistically significant."
      fileName={fileName}
      build={build}
      testId="class-scatter"
    />
  );
}
