import type { SignificanceCounts, StudySummary } from '@kdlens/metrics';
import { armLabel } from './arm-label.ts';
import type { ReportCell, ReportTable } from './report-table.ts';

function counts(c: SignificanceCounts | null): ReportCell[] {
  return c === null ? [null, null, null] : [c.raw, c.holm, c.tested];
}

/**
 * The paper's tables for one study, from its summary: accuracy per arm, SC/TC per temperature
 * (Table 1), DPD/EOD per sensitive attribute and arm (Table 2), individual fairness (Table 4).
 */
export function studyReport(summary: StudySummary): ReportTable[] {
  const tables: ReportTable[] = [
    {
      title: 'Accuracy per arm (mean ± sd over seeds, 95% bootstrap CI)',
      columns: [
        { name: 'arm', kind: 'text' },
        { name: 'seeds', kind: 'count' },
        { name: 'accuracy', kind: 'percent-estimate' },
      ],
      rows: summary.arms.map((a) => [armLabel(a), a.seeds.length, a.accuracy]),
    },
    {
      title: `Classes with a significant change (Welch, alpha ${summary.alpha}; SC: NDS vs KD, TC: teacher vs KD)`,
      columns: [
        { name: 'temperature', kind: 'number' },
        { name: 'SC', kind: 'count' },
        { name: 'SC Holm', kind: 'count' },
        { name: 'SC tested', kind: 'count' },
        { name: 'TC', kind: 'count' },
        { name: 'TC Holm', kind: 'count' },
        { name: 'TC tested', kind: 'count' },
      ],
      rows: summary.significance.map((s) => [s.temperature, ...counts(s.sc), ...counts(s.tc)]),
    },
  ];
  for (const attribute of summary.groupFairness) {
    tables.push({
      title: `Group fairness for '${attribute.attribute}' (${attribute.groups.length} groups; lower is fairer)`,
      columns: [
        { name: 'arm', kind: 'text' },
        { name: 'DPD', kind: 'estimate' },
        { name: 'EOD', kind: 'estimate' },
      ],
      rows: attribute.arms.map((a) => [armLabel(a), a.dpd, a.eod]),
    });
  }
  if (summary.individualFairness !== null) {
    tables.push({
      title: 'Individual fairness (Lipschitz: lower is fairer; consistency: higher is fairer)',
      columns: [
        { name: 'arm', kind: 'text' },
        { name: 'Lipschitz', kind: 'estimate' },
        { name: 'consistency', kind: 'estimate' },
      ],
      rows: summary.individualFairness.map((a) => [armLabel(a), a.lipschitz, a.consistency]),
    });
  }
  return tables;
}
