'use client';

import * as Plot from '@observablehq/plot';
import { useCallback } from 'react';
import { palette } from './palette.ts';
import { PlotFigure } from './plot-figure.tsx';

export interface TrendPoint {
  temperature: number;
  mean: number;
  lower: number | null;
  upper: number | null;
}

/** A horizontal reference: the teacher's or the NDS's value, which has no temperature. */
export interface TrendReference {
  label: string;
  role: 'teacher' | 'student';
  mean: number;
  lower: number | null;
  upper: number | null;
}

/**
 * A measure of the distilled students against temperature (line, with its CI band), with the
 * teacher and the non-distilled student as dashed reference lines with their own bands: the
 * shape of the paper's Table 2 and Table 4.
 */
export function TemperatureTrendChart({
  title,
  description,
  fileName,
  yLabel,
  points,
  references,
  scale = 1,
  testId,
}: {
  title: string;
  description: string;
  fileName: string;
  yLabel: string;
  points: TrendPoint[];
  references: TrendReference[];
  /** 100 to plot shares as percent. */
  scale?: number;
  testId?: string;
}) {
  const build = useCallback(
    (width: number) => {
      const s = (v: number | null) => (v === null ? null : v * scale);
      const line = points.map((p) => ({
        T: p.temperature,
        mean: s(p.mean),
        lower: s(p.lower),
        upper: s(p.upper),
      }));
      const refs = references.map((r) => ({
        ...r,
        mean: s(r.mean),
        lower: s(r.lower),
        upper: s(r.upper),
        color: palette[r.role],
      }));
      const banded = refs.filter((r) => r.lower !== null && r.upper !== null);
      return Plot.plot({
        width,
        height: 260,
        marginLeft: 56,
        marginRight: 70,
        style: { fontSize: '12px' },
        x: {
          label: 'temperature T →',
          ticks: points.map((p) => p.temperature),
          tickFormat: (t: number) => String(t),
        },
        y: { label: yLabel, grid: true, nice: true },
        marks: [
          Plot.rect(banded, { y1: 'lower', y2: 'upper', fill: 'color', fillOpacity: 0.1 }),
          Plot.ruleY(refs, {
            y: 'mean',
            stroke: 'color',
            strokeDasharray: '5,3',
            strokeWidth: 1.5,
          }),
          Plot.text(refs, {
            y: 'mean',
            text: 'label',
            fill: 'color',
            frameAnchor: 'right',
            textAnchor: 'start',
            dx: 4,
          }),
          Plot.areaY(
            line.filter((p) => p.lower !== null && p.upper !== null),
            { x: 'T', y1: 'lower', y2: 'upper', fill: palette.distilled, fillOpacity: 0.18 },
          ),
          Plot.lineY(line, { x: 'T', y: 'mean', stroke: palette.distilled, strokeWidth: 2 }),
          Plot.dot(line, {
            x: 'T',
            y: 'mean',
            fill: palette.distilled,
            r: 3.5,
            tip: true,
            title: (d: (typeof line)[number]) =>
              `KD T=${d.T}: ${d.mean?.toFixed(2)}${d.lower !== null && d.upper !== null ? ` (CI ${d.lower.toFixed(2)}–${d.upper.toFixed(2)})` : ''}`,
          }),
          Plot.text(line.slice(-1), {
            x: 'T',
            y: 'mean',
            text: () => 'KD',
            fill: palette.distilled,
            dx: 8,
            textAnchor: 'start',
          }),
        ],
      });
    },
    [points, references, scale, yLabel],
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
