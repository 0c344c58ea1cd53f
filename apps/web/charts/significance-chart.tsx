'use client';

import * as Plot from '@observablehq/plot';
import { useCallback } from 'react';
import { palette } from './palette.ts';
import { PlotFigure } from './plot-figure.tsx';

export interface SignificancePoint {
  temperature: number;
  /** SC: NDS vs distilled; TC: teacher vs distilled. */
  series: 'SC' | 'TC';
  count: number;
}

/** The paper's Table 1 as lines: classes with a significant change, against temperature. */
export function SignificanceChart({
  points,
  correctionLabel,
}: {
  points: SignificancePoint[];
  correctionLabel: string;
}) {
  const build = useCallback(
    (width: number) =>
      Plot.plot({
        width,
        height: 260,
        marginRight: 40,
        style: { fontSize: '12px' },
        x: {
          label: 'temperature T →',
          ticks: [...new Set(points.map((p) => p.temperature))],
          tickFormat: (t: number) => String(t),
        },
        y: { label: '↑ significant classes', grid: true, zero: true, nice: true },
        color: {
          domain: ['SC', 'TC'],
          range: [palette.student, palette.teacher],
          legend: true,
          tickFormat: (s: string) => (s === 'SC' ? 'SC: NDS vs KD' : 'TC: teacher vs KD'),
        },
        marks: [
          Plot.lineY(points, {
            x: 'temperature',
            y: 'count',
            z: 'series',
            stroke: 'series',
            strokeWidth: 2,
          }),
          Plot.dot(points, {
            x: 'temperature',
            y: 'count',
            fill: 'series',
            r: 3.5,
            tip: true,
            title: (d: SignificancePoint) => `${d.series} at T=${d.temperature}: ${d.count}`,
          }),
        ],
      }),
    [points],
  );
  return (
    <PlotFigure
      title={`Significant classes against temperature (${correctionLabel})`}
      description="SC counts classes whose accuracy differs significantly between the non-distilled student and the distilled student at each temperature; TC between the teacher and the distilled student."
      fileName="significant-classes"
      build={build}
      testId="significance-chart"
    />
  );
}
