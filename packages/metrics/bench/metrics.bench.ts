// npm run bench -w @kdlens/metrics: the scale targets, each beside a naive baseline
// measured in the same process. Pinned to one core by the npm script (taskset -c 0).

import { compareClassGroups } from '../src/class-group/compare-class-groups.ts';
import { type ClassGroupCounts, classGroupCounts } from '../src/group/class-group-counts.ts';
import { demographicParityDifference } from '../src/group/demographic-parity.ts';
import { equalizedOddsDifference } from '../src/group/equalized-odds.ts';
import { groupIndex } from '../src/group/group-index.ts';
import { intersectionIndex } from '../src/group/intersection-index.ts';
import { intersectionalDisparity } from '../src/group/intersectional-disparity.ts';
import { oneVsRest } from '../src/group/one-vs-rest.ts';
import { consistencyScore } from '../src/individual/consistency.ts';
import { createRandom } from '../src/stats/random.ts';
import type { StudyRun } from '../src/study/study-types.ts';
import { summarizeStudy } from '../src/study/summarize-study.ts';
import { medianMs, report, size } from './measure.ts';
import {
  classGroupByCompareClasses,
  naiveConsistency,
  naiveDpdEod,
  significanceByCompareClasses,
} from './naive.ts';

const random = createRandom(2025);
const only = process.argv[2];

// ImageNet scale: 1000 classes, 50,000 test examples, 12 arms (teacher, NDS, 10 temperatures)
// × 5 seeds; each run right on ~70% of examples, wrong uniformly otherwise.
if (!only || only === 'study') {
  const numClasses = size(1000, 20);
  const n = size(50_000, 500);
  const yTrue = Int32Array.from({ length: n }, (_, i) => i % numClasses);
  const temperatures = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const arms: [StudyRun['role'], number | null][] = [
    ['teacher', null],
    ['student', null],
    ...temperatures.map((t): [StudyRun['role'], number] => ['distilled', t]),
  ];
  const runs: StudyRun[] = arms.flatMap(([role, temperature]) =>
    [0, 1, 2, 3, 4].map((seed) => ({
      role,
      temperature,
      seed,
      yPred: yTrue.map((y) => (random.next() < 0.7 ? y : random.int(numClasses))),
    })),
  );
  const input = { numClasses, yTrue, runs, options: { bootstrap: { iterations: size(1000, 20) } } };
  const ms = medianMs(() => summarizeStudy(input), size(3, 1));
  const baselineMs = medianMs(
    () => significanceByCompareClasses(yTrue, runs, numClasses, temperatures),
    size(3, 1),
  );
  report('summarizeStudy', {
    classes: numClasses,
    examples: n,
    runs: runs.length,
    ms,
    baselineMs,
    targetMs: 2000,
  });
}

// Group fairness: DPD + EOD over 1,000,000 rows and 4 groups.
if (!only || only === 'group') {
  const n = size(1_000_000, 10_000);
  const yTrue = Int32Array.from({ length: n }, () => random.int(2));
  const yPred = yTrue.map((y) => (random.next() < 0.8 ? y : 1 - y));
  const codes = Int32Array.from({ length: n }, () => random.int(4));
  const names = Array.from(codes, (c) => `group-${c}`);
  const ms = medianMs(() => {
    demographicParityDifference(yTrue, yPred, codes);
    equalizedOddsDifference(yTrue, yPred, codes);
  }, 7);
  const baselineMs = medianMs(() => naiveDpdEod(yTrue, yPred, names), 3);
  report('dpd+eod', {
    rows: n,
    groups: 4,
    sensitive: 'integer codes',
    ms,
    baselineMs,
    targetMs: 50,
  });
  const index = groupIndex(names);
  const msStrings = medianMs(() => {
    demographicParityDifference(yTrue, yPred, index);
    equalizedOddsDifference(yTrue, yPred, index);
  }, 7);
  report('dpd+eod', {
    rows: n,
    groups: 4,
    sensitive: 'strings, groupIndex built once',
    ms: msStrings,
    baselineMs,
    targetMs: 50,
  });
}

// Individual fairness: consistency for n = 10,000, d = 64.
if (!only || only === 'consistency') {
  const n = size(10_000, 500);
  const d = size(64, 8);
  const x = Float64Array.from({ length: n * d }, () => random.next());
  const yPred = Int32Array.from({ length: n }, () => random.int(2));
  const ms = medianMs(() => consistencyScore(x, d, yPred, { k: 5 }), 1);
  const baselineMs = medianMs(() => naiveConsistency(x, d, yPred, 5), 1, false);
  report('consistencyScore', { n, d, k: 5, ms, baselineMs, targetMs: 2000 });
}

// Class × group and intersectional groups at ImageNet scale: 1000 classes, 50,000 test examples,
// sex × age (2 × 4 = 8 groups), 12 arms × 5 seeds = 60 runs.
if (!only || only === 'class-group') {
  const numClasses = size(1000, 20);
  const n = size(50_000, 500);
  const yTrue = Int32Array.from({ length: n }, (_, i) => i % numClasses);
  const sex = Array.from({ length: n }, () => (random.next() < 0.5 ? 'female' : 'male'));
  const age = Array.from(
    { length: n },
    () => ['18-29', '30-44', '45-64', '65+'][random.int(4)] as string,
  );
  const temperatures = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const arms: [StudyRun['role'], number | null][] = [
    ['teacher', null],
    ['student', null],
    ...temperatures.map((t): [StudyRun['role'], number] => ['distilled', t]),
  ];
  const runs: StudyRun[] = arms.flatMap(([role, temperature]) =>
    [0, 1, 2, 3, 4].map((seed) => ({
      role,
      temperature,
      seed,
      yPred: yTrue.map((y) => (random.next() < 0.7 ? y : random.int(numClasses))),
    })),
  );
  const index = intersectionIndex({ sex, age });

  // Per run: one counting pass, then DPD/DPR/EOD/EOR for every class as positive, both methods.
  const [first] = runs;
  const perRunMs = medianMs(
    () => {
      const counts = classGroupCounts(yTrue, first?.yPred ?? [], index, numClasses);
      intersectionalDisparity(counts, { method: 'between_groups' });
      intersectionalDisparity(counts, { method: 'to_overall' });
    },
    size(7, 1),
  );
  const joint = groupIndex(Array.from(index.codes));
  const perRunBaselineMs = medianMs(
    () => {
      for (const method of ['between_groups', 'to_overall'] as const) {
        oneVsRest(
          (t, p, s, o) => demographicParityDifference(t, p, s, { ...o, method }),
          yTrue,
          first?.yPred ?? [],
          joint,
          numClasses,
        );
        oneVsRest(
          (t, p, s, o) => equalizedOddsDifference(t, p, s, { ...o, method }),
          yTrue,
          first?.yPred ?? [],
          joint,
          numClasses,
        );
      }
    },
    size(1, 1),
    false,
  );
  report('intersectionalDisparity', {
    classes: numClasses,
    examples: n,
    groups: index.groups.length,
    per: 'run',
    ms: perRunMs,
    baselineMs: perRunBaselineMs,
    targetMs: 100,
  });

  // The whole study: count all 60 runs, then the class × group change from the teacher and from
  // NDS to each distilled arm (20 comparisons of 8000 cells, each with a Welch test and interval).
  const key = (r: StudyRun) => `${r.role}:${r.temperature}`;
  const ms = medianMs(
    () => {
      const byArm = new Map<string, ClassGroupCounts[]>();
      for (const run of runs) {
        const counts = classGroupCounts(yTrue, run.yPred, index, numClasses);
        byArm.set(key(run), [...(byArm.get(key(run)) ?? []), counts]);
      }
      const armOf = (role: string, t: number | null) => byArm.get(`${role}:${t}`) ?? [];
      for (const t of temperatures) {
        compareClassGroups(armOf('teacher', null), armOf('distilled', t));
        compareClassGroups(armOf('student', null), armOf('distilled', t));
      }
    },
    size(3, 1),
  );
  const baselineMs = medianMs(
    () =>
      classGroupByCompareClasses(
        yTrue,
        runs,
        index.codes,
        index.groups.length,
        numClasses,
        temperatures,
      ),
    1,
    false,
  );
  report('classGroupCounts+compareClassGroups', {
    classes: numClasses,
    examples: n,
    groups: index.groups.length,
    runs: runs.length,
    comparisons: 2 * temperatures.length,
    msPerRun: Math.round((ms / runs.length) * 100) / 100,
    ms,
    baselineMs,
    targetMs: 6000,
  });
}
