import {
  classAccuracy,
  compareClasses,
  createRandom,
  type StudyRun,
  summarizeStudy,
} from '@kdlens/metrics';
import { describe, expect, it } from 'vitest';
import type { RunClassAccuracies } from '../db/queries/result-tables.ts';
import { ArmMatrices, studyArms } from './study-arms.ts';

// A small study with known predictions; summarizeStudy (@kdlens/metrics, which the stored summary
// and the API's sweep both follow) is the independent answer the composition must equal.
const C = 6;
const N = 240;
const random = createRandom(7);
const yTrue = Int32Array.from({ length: N }, (_, i) => i % C);
// Per-class skill: arms differ on some classes by far more than the seed-to-seed noise.
const arms = [
  { role: 'teacher', temperature: null, skill: [0.95, 0.95, 0.95, 0.95, 0.95, 0.95] },
  { role: 'student', temperature: null, skill: [0.9, 0.9, 0.9, 0.3, 0.3, 0.6] },
  { role: 'distilled', temperature: 4, skill: [0.9, 0.5, 0.9, 0.9, 0.3, 0.6] },
  { role: 'distilled', temperature: 2, skill: [0.5, 0.9, 0.9, 0.6, 0.9, 0.6] },
] as const;
const runs: StudyRun[] = arms.flatMap((arm) =>
  [3, 1, 2].map((seed) => ({
    role: arm.role,
    temperature: arm.temperature,
    seed,
    yPred: Int32Array.from(yTrue, (y) => (random.next() < (arm.skill[y] ?? 0) ? y : (y + 1) % C)),
  })),
);
const rows: RunClassAccuracies[] = runs.map((r, i) => {
  const perClass = classAccuracy(yTrue, r.yPred, C);
  let right = 0;
  for (let k = 0; k < N; k++) if (r.yPred[k] === yTrue[k]) right++;
  return {
    runId: `run-${i}`,
    role: r.role,
    temperature: r.temperature,
    seed: r.seed,
    architecture: 'mlp',
    overall: right / N,
    perClass: Float64Array.from(perClass),
  };
});

describe('studyArms', () => {
  it('orders arms teacher, NDS, then distilled by temperature, and runs by seed', () => {
    const ordered = studyArms(rows);
    expect(ordered.map((a) => a.label)).toEqual(['Teacher', 'NDS', 'KD T=2', 'KD T=4']);
    for (const arm of ordered) expect(arm.runs.map((r) => r.seed)).toEqual([1, 2, 3]);
  });
});

describe('ArmMatrices', () => {
  it('counts SC and TC per temperature exactly as summarizeStudy does', () => {
    const summary = summarizeStudy({ numClasses: C, yTrue, runs });
    const sweep = new ArmMatrices(C).sweep(studyArms(rows), 'normalized', 0.05);
    expect(sweep).toEqual(summary.significance);
    // The study is built so that both counts find changed classes.
    expect(sweep.every((row) => (row.sc?.raw ?? 0) > 0 && (row.tc?.raw ?? 0) > 0)).toBe(true);
  });

  it('compares two arms exactly as compareClasses does', () => {
    const [, student, , kd4] = studyArms(rows);
    if (!student || !kd4) throw new Error('arms missing');
    const bySeed = (role: string, t: number | null) =>
      runs.filter((r) => r.role === role && r.temperature === t).sort((a, b) => a.seed - b.seed);
    const expected = compareClasses(
      bySeed('student', null).map((r) => ({ yTrue, yPred: r.yPred })),
      bySeed('distilled', 4).map((r) => ({ yTrue, yPred: r.yPred })),
      { numClasses: C, statistic: 'difference', correction: 'bh', alpha: 0.1 },
    );
    expect(new ArmMatrices(C).compare(student, kd4, 'difference', 'bh', 0.1)).toEqual(expected);
  });
});
