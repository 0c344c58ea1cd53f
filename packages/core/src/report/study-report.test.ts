import type { Estimate, StudySummary } from '@kdlens/metrics';
import { describe, expect, it } from 'vitest';
import { renderReport } from './render-report.ts';
import { studyReport } from './study-report.ts';

const est = (mean: number, sd: number, lower: number, upper: number): Estimate => ({
  mean,
  sd,
  lower,
  upper,
  values: [],
});

const summary: StudySummary = {
  numClasses: 3,
  examples: 30,
  alpha: 0.05,
  statistic: 'normalized',
  arms: [
    { role: 'teacher', temperature: null, seeds: [0, 1], accuracy: est(0.9, 0.01, 0.89, 0.91) },
    { role: 'student', temperature: null, seeds: [0, 1], accuracy: est(0.8, 0.02, 0.78, 0.82) },
    { role: 'distilled', temperature: 4, seeds: [0], accuracy: est(0.85, Number.NaN, 0.85, 0.85) },
  ],
  significance: [{ temperature: 4, sc: { raw: 2, holm: 1, bh: 1, tested: 3 }, tc: null }],
  groupFairness: [
    {
      attribute: 'Male',
      groups: ['0', '1'],
      arms: [
        {
          role: 'teacher',
          temperature: null,
          dpd: est(0.1, 0.02, 0.08, 0.12),
          eod: est(0.2, 0.01, 0.19, 0.21),
        },
      ],
    },
  ],
  individualFairness: null,
};

describe('study report', () => {
  const tables = studyReport(summary);

  it('has the paper tables that the summary supports', () => {
    expect(tables.map((t) => t.title.split(' (')[0])).toEqual([
      'Accuracy per arm',
      'Classes with a significant change',
      "Group fairness for 'Male'",
    ]);
  });

  it('renders an aligned text table with percentages and "—" for undefined values', () => {
    expect(renderReport(tables.slice(0, 2), 'table')).toBe(
      [
        'Accuracy per arm (mean ± sd over seeds, 95% bootstrap CI)',
        'arm      seeds                     accuracy',
        '-------  -----  ---------------------------',
        'Teacher      2  90.00 ± 1.00 [89.00, 91.00]',
        'NDS          2  80.00 ± 2.00 [78.00, 82.00]',
        'KD T=4       1         85.00 [85.00, 85.00]',
        '',
        'Classes with a significant change (Welch, alpha 0.05; SC: NDS vs KD, TC: teacher vs KD)',
        'temperature  SC  SC Holm  SC tested  TC  TC Holm  TC tested',
        '-----------  --  -------  ---------  --  -------  ---------',
        '          4   2        1          3   —        —          —',
      ].join('\n'),
    );
  });

  it('renders Markdown', () => {
    expect(renderReport(tables.slice(2), 'markdown')).toBe(
      [
        "### Group fairness for 'Male' (2 groups; lower is fairer)",
        '',
        '| arm | DPD | EOD |',
        '| --- | ---: | ---: |',
        '| Teacher | 0.1000 ± 0.0200 [0.0800, 0.1200] | 0.2000 ± 0.0100 [0.1900, 0.2100] |',
      ].join('\n'),
    );
  });

  it('renders CSV with raw numbers, estimates split into four columns', () => {
    const csv = renderReport(tables.slice(0, 1), 'csv').split('\n');
    expect(csv[1]).toBe('arm,seeds,accuracy mean,accuracy sd,accuracy lower,accuracy upper');
    expect(csv[4]).toBe('KD T=4,1,0.85,,0.85,0.85');
  });

  it('renders JSON with null for undefined numbers', () => {
    const json = JSON.parse(renderReport(tables, 'json')) as { rows: Record<string, unknown>[] }[];
    expect(json[0]?.rows[2]).toEqual({
      arm: 'KD T=4',
      seeds: 1,
      accuracy: { mean: 0.85, sd: null, lower: 0.85, upper: 0.85 },
    });
    expect(json[1]?.rows[0]).toMatchObject({ temperature: 4, SC: 2, 'TC Holm': null });
  });
});
