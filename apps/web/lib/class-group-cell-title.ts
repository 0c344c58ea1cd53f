import { percent, percentPoints } from './format.ts';

type Column = readonly (number | null)[];

/**
 * What a class × group cell's tooltip says, as numbers: the page sends these once and the browser
 * writes each cell's text when it draws, instead of the server sending 8000 finished strings.
 */
export interface CellTooltip {
  examples: readonly number[];
  from?: { label: string; mean: Column };
  to?: { label: string; mean: Column };
  change?: { delta: Column; lower: Column; upper: Column };
  shown?: { label: string; mean: Column };
}

/** The tooltip of cell i (class-major: class ⌊i / groups⌋, group i mod groups). */
export function cellTitle(
  t: CellTooltip,
  classNames: readonly string[],
  groups: readonly string[],
  i: number,
): string {
  const numGroups = groups.length;
  const lines = [
    `${classNames[Math.floor(i / numGroups)]} · ${groups[i % numGroups]} (${t.examples[i]} test examples)`,
    `${t.from?.label ?? 'from'}: ${percent(t.from?.mean[i] ?? null)} → ${t.to?.label ?? 'to'}: ${percent(t.to?.mean[i] ?? null)}`,
  ];
  if (t.change) {
    lines.push(
      `change ${percentPoints(t.change.delta[i] ?? null)} [${percentPoints(t.change.lower[i] ?? null)}, ${percentPoints(t.change.upper[i] ?? null)}]`,
    );
  }
  if (t.shown) lines.push(`${t.shown.label}: ${percent(t.shown.mean[i] ?? null)}`);
  return lines.join('\n');
}
