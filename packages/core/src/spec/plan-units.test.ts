import { describe, expect, it } from 'vitest';
import { experimentSpecSchema } from './experiment-spec.schema.ts';
import { planUnits } from './plan-units.ts';

const spec = experimentSpecSchema.parse({
  name: 'plan',
  dataset: { name: 'cifar10', root: 'c' },
  teacher: { architecture: 'resnet56', epochs: 1, batchSize: 8, learningRate: 0.1 },
  student: { architecture: 'resnet20', epochs: 1, batchSize: 8, learningRate: 0.1 },
  kd: { temperatures: [4, 1] },
  seeds: [3, 0],
});

describe('planUnits', () => {
  it('lists teachers first, then per seed the student and a distilled student per temperature', () => {
    expect(planUnits(spec)).toEqual([
      { key: 'teacher/s3', role: 'teacher', temperature: null, seed: 3, architecture: 'resnet56' },
      { key: 'teacher/s0', role: 'teacher', temperature: null, seed: 0, architecture: 'resnet56' },
      { key: 'student/s3', role: 'student', temperature: null, seed: 3, architecture: 'resnet20' },
      {
        key: 'distilled/T4/s3',
        role: 'distilled',
        temperature: 4,
        seed: 3,
        architecture: 'resnet20',
        dependsOn: 'teacher/s3',
      },
      {
        key: 'distilled/T1/s3',
        role: 'distilled',
        temperature: 1,
        seed: 3,
        architecture: 'resnet20',
        dependsOn: 'teacher/s3',
      },
      { key: 'student/s0', role: 'student', temperature: null, seed: 0, architecture: 'resnet20' },
      {
        key: 'distilled/T4/s0',
        role: 'distilled',
        temperature: 4,
        seed: 0,
        architecture: 'resnet20',
        dependsOn: 'teacher/s0',
      },
      {
        key: 'distilled/T1/s0',
        role: 'distilled',
        temperature: 1,
        seed: 0,
        architecture: 'resnet20',
        dependsOn: 'teacher/s0',
      },
    ]);
  });

  it('gives every unit a distinct key, and every dependency is a planned teacher', () => {
    const units = planUnits(spec);
    const keys = new Set(units.map((u) => u.key));
    expect(keys.size).toBe(units.length);
    for (const unit of units) {
      if (unit.dependsOn !== undefined) expect(keys.has(unit.dependsOn)).toBe(true);
    }
  });

  it('keeps fractional temperatures apart in the keys', () => {
    const units = planUnits({ ...spec, kd: { alpha: 0.8, temperatures: [1.5, 15] }, seeds: [0] });
    expect(units.map((u) => u.key)).toEqual([
      'teacher/s0',
      'student/s0',
      'distilled/T1.5/s0',
      'distilled/T15/s0',
    ]);
  });
});
