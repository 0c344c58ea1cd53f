import {
  type ArmKey,
  classGroupCounts,
  createRandom,
  groupMetrics,
  intersectionIndex,
  type StudyRun,
  summarizeStudy,
} from '@kdlens/metrics';
import { describe, expect, it } from 'vitest';
import { classGroupMatrix } from './class-group-matrix.ts';
import type { ClassGroupStudy } from './class-group-study.ts';
import { intersectionalGroups } from './intersectional-groups.ts';

// A 3-class study of 120 examples, two attributes; teacher, NDS and KD T=4 over three seeds.
const N = 120;
const C = 3;
const rnd = createRandom(7);
const yTrue = Int32Array.from({ length: N }, () => rnd.int(C));
const sex = Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 'F' : 'M'));
// 'old' is rare among F, so F × old is a small intersection.
const age = Array.from({ length: N }, (_, i) =>
  i % 3 === 0 ? (i % 7 === 0 ? 'old' : 'young') : i % 2 ? 'old' : 'young',
);
const arms: (ArmKey & { skill: number })[] = [
  { role: 'teacher', temperature: null, skill: 0.9 },
  { role: 'student', temperature: null, skill: 0.6 },
  { role: 'distilled', temperature: 4, skill: 0.75 },
];
const runs: StudyRun[] = arms.flatMap((arm) =>
  [0, 1, 2].map((seed) => ({
    role: arm.role,
    temperature: arm.temperature,
    seed,
    yPred: Int32Array.from(yTrue, (y) => (rnd.next() < arm.skill ? y : rnd.int(C))),
  })),
);

function study(attributes: string[]): ClassGroupStudy {
  const index = intersectionIndex({ sex, age }, attributes);
  return {
    numClasses: C,
    classNames: ['a', 'b', 'c'],
    attributes,
    groups: index.groups,
    groupCounts: index.counts,
    arms: arms.map((arm) => ({
      role: arm.role,
      temperature: arm.temperature,
      label: arm.role,
      runs: runs
        .filter((r) => r.role === arm.role)
        .map((r) => ({
          runId: `${r.role}${r.seed}`,
          seed: r.seed,
          counts: classGroupCounts(yTrue, r.yPred, index, C),
        })),
    })),
  };
}

describe('intersectionalGroups', () => {
  it("equals the study summary's DPD and EOD for one attribute at minGroupSize 1", () => {
    const summary = summarizeStudy({ numClasses: C, yTrue, runs, sensitive: { sex } });
    const got = intersectionalGroups(study(['sex']), { minGroupSize: 1 });
    const expected = summary.groupFairness[0]?.arms ?? [];
    expect(got.arms.map((a) => a.dpd)).toEqual(expected.map((a) => a.dpd));
    expect(got.arms.map((a) => a.eod)).toEqual(expected.map((a) => a.eod));
  });

  it('gives each intersection the rates of groupMetrics on its rows at the positive class', () => {
    const got = intersectionalGroups(study(['sex', 'age']), { positiveClass: 2, minGroupSize: 1 });
    expect(got.groups).toEqual([
      ['F', 'old'],
      ['F', 'young'],
      ['M', 'old'],
      ['M', 'young'],
    ]);
    const joint = sex.map((s, i) => `${s}|${age[i]}`);
    const teacherRuns = runs.filter((r) => r.role === 'teacher');
    const perSeed = teacherRuns.map((r) => groupMetrics(yTrue, r.yPred, joint, { posLabel: 2 }));
    got.groups.forEach((group, g) => {
      const row = got.arms[0]?.groups[g];
      const at = perSeed.map((m) => m.byGroup.find((b) => b.group === group.join('|')));
      const mean = (f: (s: (typeof at)[number]) => number) =>
        at.reduce((sum, s) => sum + f(s), 0) / at.length;
      expect(row?.count).toBe(at[0]?.count);
      expect(row?.selectionRate).toBeCloseTo(
        mean((s) => s?.selectionRate ?? Number.NaN),
        14,
      );
      expect(row?.tpr).toBeCloseTo(
        mean((s) => s?.tpr ?? Number.NaN),
        14,
      );
      expect(row?.fpr).toBeCloseTo(
        mean((s) => s?.fpr ?? Number.NaN),
        14,
      );
      expect(row?.accuracy).toBeCloseTo(
        mean((s) => s?.accuracy ?? Number.NaN),
        14,
      );
    });
  });

  it('flags groups under the minimum size with their counts and leaves them out', () => {
    const s = study(['sex', 'age']);
    const counts = Array.from(s.groupCounts);
    const small = Math.min(...counts);
    const got = intersectionalGroups(s, { minGroupSize: small + 1 });
    expect(got.smallGroups).toEqual(
      s.groups.flatMap((group, i) => (counts[i] === small ? [{ group, count: small }] : [])),
    );
    expect(got.comparedGroups).toBe(4 - got.smallGroups.length);
    expect(got.arms[0]?.groups.filter((g) => g.small).map((g) => g.count)).toEqual([small]);
  });

  it('takes the class mean of the rates when no positive class is chosen', () => {
    const got = intersectionalGroups(study(['sex']));
    for (const arm of got.arms) {
      for (const g of arm.groups) expect(g.selectionRate).toBeCloseTo(1 / C, 14);
    }
    expect(() => intersectionalGroups(study(['sex']), { positiveClass: 3 })).toThrow(
      'positiveClass: must be a class index in [0, 3)',
    );
  });
});

describe('classGroupMatrix', () => {
  it('compares the teacher and NDS with the distilled arm, the largest drop first', () => {
    const m = classGroupMatrix(study(['sex']));
    expect(m.arms.map((a) => a.label)).toEqual(['teacher', 'student', 'distilled']);
    expect(m.changes.map((c) => `${c.from.label}→${c.to.label}`)).toEqual([
      'teacher→distilled',
      'student→distilled',
    ]);
    const change = m.changes[0];
    const delta = Array.from(change?.comparison.delta ?? []);
    const first = change?.worst[0] ?? -1;
    expect(delta[first]).toBe(Math.min(...delta.filter((d) => !Number.isNaN(d))));
    // The delta is the distilled mean minus the teacher mean, cell by cell.
    const teacher = m.arms[0]?.mean ?? new Float64Array();
    const kd = m.arms[2]?.mean ?? new Float64Array();
    delta.forEach((d, i) => {
      expect(d).toBeCloseTo((kd[i] as number) - (teacher[i] as number), 14);
    });
  });
});
