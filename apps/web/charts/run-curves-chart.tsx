'use client';

import * as Plot from '@observablehq/plot';
import { useCallback } from 'react';
import { palette } from './palette.ts';
import { PlotFigure } from './plot-figure.tsx';
import { type CurveMeasure, curveStyles, type RunCurve } from './run-curves.ts';

const measures: Record<CurveMeasure, { title: string; description: string; y: Plot.ScaleOptions }> =
  {
    loss: {
      title: 'Training loss per epoch',
      description: 'Mean training loss at the end of each epoch, one line per compared run.',
      y: { label: '↑ loss', grid: true, tickFormat: '.3~f' },
    },
    trainAccuracy: {
      title: 'Training accuracy per epoch',
      description: 'Training accuracy at the end of each epoch, one line per compared run.',
      y: { label: '↑ train accuracy (%)', grid: true, percent: true },
    },
    evalAccuracy: {
      title: 'Test accuracy per epoch',
      description: 'Test accuracy after each evaluated epoch, one line per compared run.',
      y: { label: '↑ test accuracy (%)', grid: true, percent: true },
    },
  };

interface Point {
  epoch: number;
  value: number;
}

/**
 * The learning curves of several runs overlaid: one measure against epoch. Each run's line is a
 * group carrying its id (`data-run-id`), so its path can be found; epochs without a value (a
 * diverged loss, an epoch not evaluated) are left out of the line.
 */
export function RunCurvesChart({
  runs,
  measure,
  fileName,
}: {
  runs: readonly RunCurve[];
  measure: CurveMeasure;
  fileName: string;
}) {
  const build = useCallback(
    (width: number) => {
      const styles = curveStyles(runs);
      const series = runs.map((run) => ({
        run,
        points: run.history.flatMap((h): Point[] => {
          const value = h[measure];
          return value === null ? [] : [{ epoch: h.epoch, value }];
        }),
      }));
      const chart = Plot.plot({
        width,
        height: 260,
        marginLeft: 56,
        marginRight: 20,
        style: { fontSize: '12px' },
        x: {
          label: 'epoch →',
          tickFormat: (e: number) => (Number.isInteger(e) ? String(e) : ''),
        },
        y: measures[measure].y,
        marks: series.flatMap(({ run, points }, i) => {
          const style = styles[i] ?? { stroke: palette.neutral, dash: 'none' };
          return [
            Plot.line(points, {
              x: 'epoch',
              y: 'value',
              stroke: style.stroke,
              strokeDasharray: style.dash,
              strokeWidth: 2,
              className: `curve-${i}`,
            }),
            Plot.dot(points, {
              x: 'epoch',
              y: 'value',
              fill: style.stroke,
              r: 2.5,
              tip: true,
              title: (p: Point) =>
                `${run.label}\nepoch ${p.epoch}: ${
                  measure === 'loss' ? p.value.toFixed(4) : `${(p.value * 100).toFixed(2)}%`
                }`,
            }),
          ];
        }),
      });
      runs.forEach((run, i) => {
        const group = chart.querySelector(`g.curve-${i}`);
        group?.setAttribute('data-run-id', run.id);
        group?.setAttribute('data-run-label', run.label);
      });
      return chart;
    },
    [runs, measure],
  );
  return (
    <PlotFigure
      title={measures[measure].title}
      description={measures[measure].description}
      fileName={fileName}
      build={build}
      testId={`compare-${measure}`}
    />
  );
}
