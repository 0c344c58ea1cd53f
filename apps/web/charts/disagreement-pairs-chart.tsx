'use client';

import * as Plot from '@observablehq/plot';
import { useCallback } from 'react';
import { PlotFigure } from './plot-figure.tsx';

/** One pair of arms, by label, with its overall disagreement (0..1) and bootstrap CI. */
export interface PairCell {
  a: string;
  b: string;
  mean: number;
  lower: number | null;
  upper: number | null;
}

interface Cell {
  row: string;
  column: string;
  value: number;
  title: string;
}

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(2)}%`);

/**
 * Arm × arm: how often two arms predict differently on the same test examples, mean over their
 * common seeds. Symmetric, so each pair fills two cells; the diagonal (an arm against itself) is 0
 * by definition and left blank. The number is printed in each cell, the CI is in its tooltip.
 */
export function DisagreementPairsChart({
  arms,
  pairs,
  fileName,
}: {
  /** Arm labels in the study's order (teacher, NDS, distilled by T). */
  arms: readonly string[];
  pairs: readonly PairCell[];
  fileName: string;
}) {
  const build = useCallback(
    (width: number) => {
      const cells: Cell[] = pairs.flatMap((p) => {
        const title = `${p.a} vs ${p.b}: ${pct(p.mean)} of test examples predicted differently [${pct(p.lower)}, ${pct(p.upper)}]`;
        const value = p.mean * 100;
        return [
          { row: p.a, column: p.b, value, title },
          { row: p.b, column: p.a, value, title },
        ];
      });
      const extent = Math.max(1, ...cells.map((c) => c.value));
      return Plot.plot({
        width: Math.min(width, 140 + arms.length * 90),
        height: 60 + arms.length * 40,
        marginLeft: 80,
        padding: 0.05,
        style: { fontSize: '12px' },
        x: { label: null, domain: [...arms], axis: 'top' },
        y: { label: null, domain: [...arms] },
        color: {
          type: 'linear',
          scheme: 'Oranges',
          domain: [0, extent],
          legend: true,
          label: 'disagreement (% of test examples)',
        },
        marks: [
          Plot.cell(cells, {
            x: 'column',
            y: 'row',
            fill: 'value',
            tip: true,
            title: (d: Cell) => d.title,
          }),
          Plot.text(cells, {
            x: 'column',
            y: 'row',
            text: (d: Cell) => d.value.toFixed(1),
            fill: (d: Cell) => (d.value > extent * 0.6 ? 'white' : 'black'),
          }),
        ],
      });
    },
    [arms, pairs],
  );
  return (
    <PlotFigure
      title="Disagreement between arms"
      description="One row and one column per arm; each cell is the share of test examples on which the two arms predict different labels, in percent, mean over their common seeds. The table below gives the numbers with confidence intervals."
      fileName={fileName}
      build={build}
      testId="disagreement-pairs-chart"
    />
  );
}
