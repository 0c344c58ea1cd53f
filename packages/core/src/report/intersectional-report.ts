import type { Estimate } from '@kdlens/metrics';
import type { ClassGroupMatrix } from '../results/class-group-matrix.ts';
import type { IntersectionalGroups } from '../results/intersectional-groups.ts';
import type { ReportTable } from './report-table.ts';

const groupName = (values: readonly (string | number)[]) => values.map(String).join(' × ');

function positiveName(groups: IntersectionalGroups, classNames: readonly string[]): string {
  const k = groups.positiveClass;
  return k === null ? 'mean over classes' : `class ${k} (${classNames[k] ?? k})`;
}

/**
 * The report's tables for sensitive attributes taken jointly (or one attribute with a chosen
 * positive class): DPD, DPR, EOD and EOR per arm for each method given, the small groups left
 * out, the rates per group and arm, and, from the class × group matrix, the cells that lost most
 * from the teacher and from NDS to each distilled arm. `byMethod` holds intersectionalGroups'
 * results for the same attributes, positive class and minimum group size, one per method.
 */
export function intersectionalReport(
  byMethod: readonly IntersectionalGroups[],
  classNames: readonly string[],
  matrix?: { value: ClassGroupMatrix; worstPerChange: number },
): ReportTable[] {
  const first = byMethod[0];
  if (!first) return [];
  const name = first.attributes.join(' × ');
  const positive = positiveName(first, classNames);
  const tables: ReportTable[] = byMethod.map((groups) => ({
    title: `Group fairness for ${name} (${groups.method.replace('_', ' ')}; positive class: ${positive}; ${groups.comparedGroups} of ${groups.groups.length} groups compared, minimum group size ${groups.minGroupSize}; differences: lower is fairer, ratios: higher is fairer)`,
    columns: [
      { name: 'arm', kind: 'text' },
      { name: 'DPD', kind: 'estimate' },
      { name: 'DPR', kind: 'estimate' },
      { name: 'EOD', kind: 'estimate' },
      { name: 'EOR', kind: 'estimate' },
    ],
    rows: groups.arms.map((a) => [a.label, a.dpd, a.dpr, a.eod, a.eor]),
  }));
  if (first.smallGroups.length > 0) {
    tables.push({
      title: `Small groups of ${name} (fewer than ${first.minGroupSize} test examples: shown, but left out of DPD/EOD)`,
      columns: [
        { name: 'group', kind: 'text' },
        { name: 'count', kind: 'count' },
      ],
      rows: first.smallGroups.map((s) => [groupName(s.group), s.count]),
    });
  }
  tables.push({
    title: `Rates per ${name} group (mean over seeds; positive class: ${positive})`,
    columns: [
      { name: 'arm', kind: 'text' },
      { name: 'group', kind: 'text' },
      { name: 'count', kind: 'count' },
      { name: 'small', kind: 'text' },
      { name: 'accuracy', kind: 'number' },
      { name: 'selection rate', kind: 'number' },
      { name: 'TPR', kind: 'number' },
      { name: 'FPR', kind: 'number' },
    ],
    rows: first.arms.flatMap((a) =>
      a.groups.map((g) => [
        a.label,
        groupName(g.group),
        g.count,
        g.small ? 'yes' : 'no',
        finite(g.accuracy),
        finite(g.selectionRate),
        finite(g.tpr),
        finite(g.fpr),
      ]),
    ),
  });
  if (matrix) {
    const m = matrix.value;
    const numGroups = m.groups.length;
    const confidence = Math.round((m.changes[0]?.comparison.confidence ?? 0.95) * 100);
    const correction = m.changes[0]?.comparison.correction ?? 'holm';
    tables.push({
      title: `Class × ${name} cells that lost most (accuracy change per cell, mean over seeds with a ${confidence}% Welch interval; p adjusted by ${correction}; at most ${matrix.worstPerChange} per comparison)`,
      columns: [
        { name: 'comparison', kind: 'text' },
        { name: 'class', kind: 'text' },
        { name: 'group', kind: 'text' },
        { name: 'examples', kind: 'count' },
        { name: 'accuracy before', kind: 'number' },
        { name: 'accuracy after', kind: 'number' },
        { name: 'change', kind: 'percent-estimate' },
        { name: 'adjusted p', kind: 'number' },
      ],
      rows: m.changes.flatMap((c) =>
        Array.from(c.worst.subarray(0, matrix.worstPerChange), (cell) => {
          const r = c.comparison;
          const classIndex = Math.floor(cell / numGroups);
          const delta: Estimate = {
            mean: r.delta[cell] as number,
            // The interval is Welch's, not a bootstrap, and there is no single sd of a change.
            sd: Number.NaN,
            lower: r.lower[cell] as number,
            upper: r.upper[cell] as number,
            values: [],
          };
          return [
            `${c.from.label} → ${c.to.label}`,
            m.classNames[classIndex] ?? String(classIndex),
            groupName(m.groups[cell % numGroups] ?? []),
            r.examples[cell] as number,
            finite(r.meanA[cell] as number),
            finite(r.meanB[cell] as number),
            delta,
            finite(r.pAdjusted[cell] as number),
          ];
        }),
      ),
    });
  }
  return tables;
}

/** A number cell; null ("—") where undefined. */
const finite = (x: number) => (Number.isFinite(x) ? x : null);
