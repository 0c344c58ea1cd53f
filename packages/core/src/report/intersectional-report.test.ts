import { classGroupCounts, intersectionIndex } from '@kdlens/metrics';
import { describe, expect, it } from 'vitest';
import { classGroupMatrix } from '../results/class-group-matrix.ts';
import type { ClassGroupStudy } from '../results/class-group-study.ts';
import { intersectionalGroups } from '../results/intersectional-groups.ts';
import { intersectionalReport } from './intersectional-report.ts';
import { renderReport } from './render-report.ts';

// Two classes, sex × age with one tiny intersection (F × old: one example). The teacher is always
// right; the distilled arm misses class 1 of M × young in seed 0 and 1 of 2 there in seed 1.
const yTrue = [0, 1, 0, 1, 0, 1, 1, 0, 1];
const sex = ['F', 'F', 'F', 'M', 'M', 'M', 'M', 'M', 'M'];
const age = ['old', 'young', 'young', 'young', 'young', 'old', 'young', 'old', 'young'];
const index = intersectionIndex({ sex, age });
const distilled = [
  [0, 1, 0, 0, 0, 1, 0, 0, 0], // M × young class 1: rows 3, 6, 8 all wrong
  [0, 1, 0, 1, 0, 1, 0, 0, 1], // M × young class 1: row 6 wrong
];
const study: ClassGroupStudy = {
  numClasses: 2,
  classNames: ['no', 'yes'],
  attributes: ['sex', 'age'],
  groups: index.groups,
  groupCounts: index.counts,
  arms: [
    {
      role: 'teacher',
      temperature: null,
      label: 'Teacher',
      runs: [0, 1].map((seed) => ({
        runId: `t${seed}`,
        seed,
        counts: classGroupCounts(yTrue, yTrue, index, 2),
      })),
    },
    {
      role: 'distilled',
      temperature: 4,
      label: 'KD T=4',
      runs: distilled.map((yPred, seed) => ({
        runId: `d${seed}`,
        seed,
        counts: classGroupCounts(yTrue, yPred, index, 2),
      })),
    },
  ],
};

describe('intersectional report', () => {
  const byMethod = (['between_groups', 'to_overall'] as const).map((method) =>
    intersectionalGroups(study, { positiveClass: 1, minGroupSize: 2, method }),
  );
  const tables = intersectionalReport(byMethod, study.classNames, {
    value: classGroupMatrix(study),
    worstPerChange: 1,
  });

  it('has both methods, the small groups, the rates and the worst cells', () => {
    expect(tables.map((t) => t.title.split(' (')[0])).toEqual([
      'Group fairness for sex × age',
      'Group fairness for sex × age',
      'Small groups of sex × age',
      'Rates per sex × age group',
      'Class × sex × age cells that lost most',
    ]);
    expect(tables[0]?.title).toContain('positive class: class 1 (yes); 3 of 4 groups compared');
  });

  it('renders Markdown: F × old (one example) flagged, and the M × young drop first', () => {
    const md = renderReport(tables.slice(2), 'markdown');
    expect(md).toContain(
      [
        '### Small groups of sex × age (fewer than 2 test examples: shown, but left out of DPD/EOD)',
        '',
        '| group | count |',
        '| --- | ---: |',
        '| F × old | 1 |',
      ].join('\n'),
    );
    // Class 1 in M × young: teacher 3/3 both seeds; KD 0/3 and 2/3, mean 1/3: −66.67 points.
    // Welch: SE = sd_KD/√2 = (√2/3)/√2 = 1/3, df = 1, t_{0.975, 1} = 12.7062047, so
    // −2/3 ± 4.2354 = [−4.9021, 3.5687] (in percent points).
    expect(md).toContain(
      '| Teacher → KD T=4 | yes | M × young | 3 | 1 | 0.333333 | -66.67 [-490.21, 356.87] |',
    );
  });

  it('renders JSON with the rates per group and the change as mean and interval', () => {
    const json = JSON.parse(renderReport(tables, 'json')) as { rows: Record<string, unknown>[] }[];
    // Teacher, F × young at class 1: row 1 is the one positive (predicted 1), row 2 is negative.
    expect(json[3]?.rows[1]).toEqual({
      arm: 'Teacher',
      group: 'F × young',
      count: 2,
      small: 'no',
      accuracy: 1,
      'selection rate': 0.5,
      TPR: 1,
      FPR: 0,
    });
    const worst = json[4]?.rows[0] as { change: { mean: number; sd: null } };
    expect(worst.change.mean).toBeCloseTo(-2 / 3, 15);
    expect(worst.change.sd).toBeNull();
  });
});
