import type { NewExperiment } from '@kdlens/core/db';
import type { Architecture } from '../engine/index.ts';

/**
 * The study `npm start` trains when the warehouse lacks it: a teacher, a non-distilled student
 * and one distilled student on a tiny generated shapes set (label: shape; sensitive attribute:
 * colour, correlated with the shape). Small enough to train in well under a minute on 2 cores.
 */
export const demoSpec = {
  name: 'demo',
  dataset: {
    name: 'toy-shapes',
    count: 800,
    trainCount: 600,
    imageSize: 16,
    seed: 1234,
    colorCorrelation: 0.8,
    label: 'shape',
    sensitive: ['color'],
  },
  teacher: { architecture: 'toy-cnn-teacher' as Architecture, epochs: 1 },
  student: { architecture: 'toy-cnn-student' as Architecture, epochs: 1 },
  training: { batchSize: 32, learningRate: 0.01, optimizer: 'adam' as const },
  kd: { alpha: 0.8, temperatures: [4] },
  seeds: [0],
} as const;

export type DemoSpec = typeof demoSpec;

/** The runs the spec asks for: per seed a teacher, a student and a distilled student per T. */
export function demoExperiment(spec: DemoSpec = demoSpec): NewExperiment {
  const runs: NewExperiment['runs'] = [];
  for (const seed of spec.seeds) {
    runs.push({
      role: 'teacher',
      temperature: null,
      seed,
      architecture: spec.teacher.architecture,
    });
    runs.push({
      role: 'student',
      temperature: null,
      seed,
      architecture: spec.student.architecture,
    });
    for (const temperature of spec.kd.temperatures) {
      runs.push({ role: 'distilled', temperature, seed, architecture: spec.student.architecture });
    }
  }
  return {
    name: spec.name,
    dataset: spec.dataset.name,
    spec: JSON.parse(JSON.stringify(spec)) as Record<string, unknown>,
    runs,
  };
}
