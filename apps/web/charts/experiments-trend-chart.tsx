'use client';

import * as Plot from '@observablehq/plot';
import { useCallback } from 'react';
import { PlotFigure } from './plot-figure.tsx';

/** One experiment's distilled arms against temperature. */
export interface ExperimentSeries {
  name: string;
  colour: string;
  points: { temperature: number; mean: number; lower: number | null; upper: number | null }[];
}

/**
 * A measure of the distilled students against temperature, one line per experiment with its
 * CI band, coloured as in the legend: how two studies' fairness moves with T side by side.
 */
export function ExperimentsTrendChart({
  title,
  description,
  fileName,
  yLabel,
  series,
  scale = 1,
  testId,
}: {
  title: string;
  description: string;
  fileName: string;
  yLabel: string;
  series: ExperimentSeries[];
  /** 100 to plot shares as percent. */
  scale?: number;
  testId?: string;
}) {
  const build = useCallback(
    (width: number) => {
      const s = (v: number | null) => (v === null ? null : v * scale);
      const rows = series.flatMap((e) =>
        e.points.map((p) => ({
          experiment: e.name,
          T: p.temperature,
          mean: s(p.mean),
          lower: s(p.lower),
          upper: s(p.upper),
        })),
      );
      const temperatures = [...new Set(rows.map((r) => r.T))].sort((a, b) => a - b);
      return Plot.plot({
        width,
        height: 280,
        marginLeft: 56,
        style: { fontSize: '12px' },
        color: {
          domain: series.map((e) => e.name),
          range: series.map((e) => e.colour),
          legend: true,
        },
        x: {
          label: 'temperature T →',
          ticks: temperatures,
          tickFormat: (t: number) => String(t),
        },
        y: { label: yLabel, grid: true, nice: true },
        marks: [
          Plot.areaY(
            rows.filter((r) => r.lower !== null && r.upper !== null),
            { x: 'T', y1: 'lower', y2: 'upper', fill: 'experiment', fillOpacity: 0.12 },
          ),
          Plot.lineY(rows, { x: 'T', y: 'mean', stroke: 'experiment', strokeWidth: 2 }),
          Plot.dot(rows, {
            x: 'T',
            y: 'mean',
            fill: 'experiment',
            r: 3.5,
            tip: true,
            title: (d: (typeof rows)[number]) =>
              `${d.experiment}, KD T=${d.T}: ${d.mean?.toFixed(2)}${d.lower !== null && d.upper !== null ? ` (CI ${d.lower.toFixed(2)}–${d.upper.toFixed(2)})` : ''}`,
          }),
        ],
      });
    },
    [series, scale, yLabel],
  );
  return (
    <PlotFigure
      title={title}
      description={description}
      fileName={fileName}
      build={build}
      testId={testId}
    />
  );
}
