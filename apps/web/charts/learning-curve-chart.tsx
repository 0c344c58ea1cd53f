'use client';

import * as Plot from '@observablehq/plot';
import { useCallback } from 'react';
import type { EpochMetrics } from '@/lib/run-fields.ts';
import { palette } from './palette.ts';
import { PlotFigure } from './plot-figure.tsx';

interface Point {
  epoch: number;
  series: string;
  value: number;
}

/** Loss, or train and test accuracy, per epoch of one run. */
export function LearningCurveChart({
  history,
  measure,
  fileName,
}: {
  history: EpochMetrics[];
  measure: 'loss' | 'accuracy';
  fileName: string;
}) {
  const build = useCallback(
    (width: number) => {
      const points: Point[] = history.flatMap((h) =>
        measure === 'loss'
          ? h.loss === null
            ? []
            : [{ epoch: h.epoch, series: 'training loss', value: h.loss }]
          : [
              ...(h.trainAccuracy === null
                ? []
                : [{ epoch: h.epoch, series: 'train', value: h.trainAccuracy }]),
              ...(h.evalAccuracy === null
                ? []
                : [{ epoch: h.epoch, series: 'test', value: h.evalAccuracy }]),
            ],
      );
      return Plot.plot({
        width,
        height: 240,
        marginLeft: 56,
        marginRight: 70,
        style: { fontSize: '12px' },
        x: { label: 'epoch →', tickFormat: (e: number) => (Number.isInteger(e) ? String(e) : '') },
        y:
          measure === 'loss'
            ? { label: '↑ loss', grid: true, tickFormat: '.3~f' }
            : { label: '↑ accuracy (%)', grid: true, percent: true },
        color: {
          domain: ['training loss', 'train', 'test'],
          range: [palette.teacher, palette.student, palette.distilled],
        },
        marks: [
          Plot.lineY(points, {
            x: 'epoch',
            y: 'value',
            z: 'series',
            stroke: 'series',
            strokeWidth: 2,
          }),
          Plot.dot(points, { x: 'epoch', y: 'value', fill: 'series', r: 3, tip: true }),
          Plot.text(
            points,
            Plot.selectLast({
              x: 'epoch',
              y: 'value',
              z: 'series',
              text: 'series',
              fill: 'series',
              dx: 6,
              textAnchor: 'start',
            }),
          ),
        ],
      });
    },
    [history, measure],
  );
  return (
    <PlotFigure
      title={measure === 'loss' ? 'Training loss per epoch' : 'Accuracy per epoch'}
      description={
        measure === 'loss'
          ? 'Mean training loss at the end of each epoch.'
          : 'Training and test accuracy at the end of each epoch.'
      }
      fileName={fileName}
      build={build}
      testId={`curve-${measure}`}
    />
  );
}
