'use client';

import * as Plot from '@observablehq/plot';
import { useCallback } from 'react';
import { palette } from './palette.ts';
import { PlotFigure } from './plot-figure.tsx';

export interface GroupRate {
  arm: string;
  group: string;
  rate: number;
}

/**
 * One row per arm, one dot per group, joined from the lowest to the highest rate: the length of
 * each line is that arm's gap (DPD for selection rates).
 */
export function GroupRatesChart({
  rates,
  arms,
  title,
  description,
  xLabel,
  fileName,
  testId,
}: {
  rates: GroupRate[];
  /** Arms in display order. */
  arms: string[];
  title: string;
  description: string;
  xLabel: string;
  fileName: string;
  testId?: string;
}) {
  const build = useCallback(
    (width: number) => {
      const spans = arms.flatMap((arm) => {
        const values = rates.filter((r) => r.arm === arm).map((r) => r.rate);
        return values.length === 0
          ? []
          : [{ arm, min: Math.min(...values), max: Math.max(...values) }];
      });
      return Plot.plot({
        width,
        height: 40 + arms.length * 28,
        marginLeft: 90,
        style: { fontSize: '12px' },
        x: { label: `${xLabel} (%) →`, grid: true, percent: true },
        y: { label: null, domain: arms },
        color: { type: 'categorical', legend: true, label: 'group' },
        marks: [
          Plot.link(spans, {
            x1: 'min',
            x2: 'max',
            y1: 'arm',
            y2: 'arm',
            stroke: palette.neutral,
            strokeWidth: 2,
          }),
          Plot.dot(rates, {
            x: 'rate',
            y: 'arm',
            fill: 'group',
            r: 4.5,
            tip: true,
            title: (d: GroupRate) => `${d.arm}, ${d.group}: ${(d.rate * 100).toFixed(2)}%`,
          }),
        ],
      });
    },
    [rates, arms, xLabel],
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
