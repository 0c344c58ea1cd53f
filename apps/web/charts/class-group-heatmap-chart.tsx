'use client';

import * as Plot from '@observablehq/plot';
import { useCallback } from 'react';
import { type CellTooltip, cellTitle } from '@/lib/class-group-cell-title.ts';
import { useColorScheme } from './color-scheme.ts';
import { PlotFigure } from './plot-figure.tsx';

interface Cell {
  className: string;
  group: string;
  value: number;
  title: string;
}

/**
 * A class × group matrix as coloured cells: a change of accuracy on a diverging scale centred on
 * 0 (red lost, blue gained), or an arm's accuracy on a sequential one. Each cell's numbers are in
 * its tooltip (and in the table beside the chart). Empty cells are left blank. One rect per cell
 * stays interactive at 1000 classes × 8 groups. On a dark page the scales end in light colours
 * (ColorBrewer's run into near-black, which would vanish into the background exactly where the
 * change is largest), with a midpoint still apart from the background.
 */
export function ClassGroupHeatmapChart({
  classNames,
  groups,
  values,
  tooltip,
  kind,
  title,
  description,
  fileName,
}: {
  classNames: readonly string[];
  groups: readonly string[];
  /** Class-major: entry c × groups + g; null for an empty cell. */
  values: readonly (number | null)[];
  /** The numbers each cell's tooltip gives; its text is written here, when the chart is drawn. */
  tooltip: CellTooltip;
  kind: 'change' | 'accuracy';
  title: string;
  description: string;
  fileName: string;
}) {
  const scheme = useColorScheme();
  const build = useCallback(
    (width: number) => {
      const cells: Cell[] = [];
      let extent = 0;
      values.forEach((v, i) => {
        if (v === null) return;
        const c = Math.floor(i / groups.length);
        cells.push({
          className: classNames[c] ?? String(c),
          group: groups[i % groups.length] ?? '',
          value: v * 100,
          title: cellTitle(tooltip, classNames, groups, i),
        });
        extent = Math.max(extent, Math.abs(v * 100));
      });
      const many = classNames.length > 60;
      // Small classes get readable rows; 1000 classes get thin ones that still fit a page.
      const rowHeight = many ? Math.max(2, Math.floor(1600 / classNames.length)) : 18;
      return Plot.plot({
        width: Math.min(width, 160 + groups.length * 90),
        height: 60 + classNames.length * rowHeight,
        marginLeft: many ? 20 : 110,
        marginBottom: 50,
        padding: 0.04,
        style: { fontSize: '12px' },
        x: { label: null, domain: [...groups], tickRotate: groups.length > 6 ? -30 : 0 },
        y: { label: null, domain: [...classNames], axis: many ? null : 'left' },
        color:
          kind === 'change'
            ? {
                type: 'diverging',
                ...(scheme === 'dark'
                  ? { range: ['#ff6f61', '#3a424d', '#6cb6ff'], interpolate: 'rgb' as const }
                  : { scheme: 'RdBu' as const }),
                pivot: 0,
                domain: [-Math.max(extent, 1), Math.max(extent, 1)],
                legend: true,
                label: 'accuracy change (pp)',
              }
            : {
                type: 'linear',
                ...(scheme === 'dark'
                  ? { range: ['#1f3146', '#cfe3f7'], interpolate: 'rgb' as const }
                  : { scheme: 'Blues' as const }),
                domain: [0, 100],
                legend: true,
                label: 'accuracy (%)',
              },
        marks: [
          Plot.cell(cells, {
            x: 'group',
            y: 'className',
            fill: 'value',
            tip: true,
            title: (d: Cell) => d.title,
          }),
        ],
      });
    },
    [classNames, groups, values, tooltip, kind, scheme],
  );
  return (
    <PlotFigure
      title={title}
      description={description}
      fileName={fileName}
      build={build}
      testId="class-group-heatmap"
    />
  );
}
