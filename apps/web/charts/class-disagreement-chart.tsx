'use client';

import * as Plot from '@observablehq/plot';
import { useCallback } from 'react';
import { palette } from './palette.ts';
import { PlotFigure } from './plot-figure.tsx';

/** One class's disagreement (0..1) with its bootstrap CI over seeds. */
export interface ClassBar {
  className: string;
  examples: number;
  mean: number;
  lower: number | null;
  upper: number | null;
}

interface Bar extends ClassBar {
  rank: number;
}

/**
 * Every class's disagreement between two arms, sorted from most to least: where the two models
 * part ways. Bars sit on a linear rank axis (no band scale) so 1000 classes cost 1000 rects and no
 * tick labels; the CI is drawn as a rule when there are few enough classes to see one.
 */
export function ClassDisagreementChart({
  rows,
  labelA,
  labelB,
  fileName,
}: {
  rows: readonly ClassBar[];
  labelA: string;
  labelB: string;
  fileName: string;
}) {
  const build = useCallback(
    (width: number) => {
      const bars: Bar[] = [...rows]
        .sort((x, y) => y.mean - x.mean)
        .map((r, rank) => ({ ...r, rank }));
      const showIntervals = bars.length <= 200;
      return Plot.plot({
        width,
        height: 260,
        style: { fontSize: '12px' },
        x: {
          label: `classes, most disagreement first (${bars.length}) →`,
          ticks: [],
          domain: [0, Math.max(1, bars.length)],
        },
        y: { label: `↑ ${labelA} vs ${labelB} (% of the class)`, grid: true, domain: [0, 100] },
        marks: [
          Plot.rectY(bars, {
            x1: 'rank',
            x2: (d: Bar) => d.rank + 1,
            y: (d: Bar) => d.mean * 100,
            fill: palette.distilled,
            inset: bars.length > 200 ? 0 : 0.5,
            tip: true,
            title: (d: Bar) =>
              `${d.className} (${d.examples} test examples): ${(d.mean * 100).toFixed(2)}%` +
              (d.lower === null || d.upper === null
                ? ''
                : ` [${(d.lower * 100).toFixed(2)}, ${(d.upper * 100).toFixed(2)}]`),
          }),
          ...(showIntervals
            ? [
                Plot.ruleX(
                  bars.filter((d) => d.lower !== null && d.upper !== null),
                  {
                    x: (d: Bar) => d.rank + 0.5,
                    y1: (d: Bar) => (d.lower ?? 0) * 100,
                    y2: (d: Bar) => (d.upper ?? 0) * 100,
                    stroke: palette.neutral,
                  },
                ),
              ]
            : []),
          Plot.ruleY([0]),
        ],
      });
    },
    [rows, labelA, labelB],
  );
  return (
    <PlotFigure
      title={`Disagreement per class, ${labelA} vs ${labelB}, sorted`}
      description="One bar per class: the share of its test examples on which the two arms predict different labels, from the most to the least; grey rules are bootstrap intervals over seeds. The table below gives every number."
      fileName={fileName}
      build={build}
      testId="class-disagreement-chart"
    />
  );
}
