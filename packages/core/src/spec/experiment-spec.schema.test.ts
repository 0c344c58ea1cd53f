import { describe, expect, it } from 'vitest';
import { type ExperimentSpecInput, experimentSpecSchema } from './experiment-spec.schema.ts';

const minimal: ExperimentSpecInput = {
  name: 'mini',
  dataset: { name: 'trifeature', generator: { trainCount: 100, testCount: 20 } },
  teacher: { architecture: 'reference-cnn', epochs: 1, batchSize: 32, learningRate: 0.01 },
  student: { architecture: 'lenet5', epochs: 1, batchSize: 32, learningRate: 0.01 },
};

/** `path: message` of every issue, for compact assertions. */
function problems(input: unknown): string[] {
  const result = experimentSpecSchema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((i) =>
        i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message,
      );
}

function withChanges(change: (spec: Record<string, unknown>) => void): unknown {
  const spec = structuredClone(minimal) as unknown as Record<string, unknown>;
  change(spec);
  return spec;
}

describe('experimentSpecSchema', () => {
  it('writes every default into the parsed spec', () => {
    const spec = experimentSpecSchema.parse(minimal);
    expect(spec.kd).toEqual({ alpha: 0.8, temperatures: [2, 4, 6, 8, 10] });
    expect(spec.seeds).toEqual([0, 1, 2, 3, 4]);
    expect(spec.backend).toBe('auto');
    expect(spec.evaluation).toEqual({
      topK: 5,
      individualFairness: { features: 'input', distance: 'euclidean', pairs: 10_000, neighbors: 5 },
    });
    expect(spec.teacher).toMatchObject({
      optimizer: { name: 'adam' },
      schedule: { name: 'constant' },
      scheduleUnit: 'epoch',
      options: {},
    });
    expect(spec.dataset).toMatchObject({
      sensitive: [],
      validationSplit: 0,
      generator: { seed: 0, correlation: 0, trainCount: 100, testCount: 20 },
    });
  });

  it('takes seeds as a count (0..n−1) or as a list', () => {
    expect(experimentSpecSchema.parse({ ...minimal, seeds: 3 }).seeds).toEqual([0, 1, 2]);
    expect(experimentSpecSchema.parse({ ...minimal, seeds: [7, 3] }).seeds).toEqual([7, 3]);
    expect(problems({ ...minimal, seeds: [7, 3, 7] })).toEqual(['seeds.2: seed 7 is listed twice']);
    expect(problems({ ...minimal, seeds: 0 })).toHaveLength(1);
    expect(problems({ ...minimal, seeds: [] })).toHaveLength(1);
  });

  it('bounds a study: 100 seeds, 32 temperatures, 2,000 units', () => {
    const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
    expect(
      problems({ ...minimal, seeds: range(2000), kd: { temperatures: range(10, 1) } }),
    ).toEqual(['seeds: at most 100 seeds, not 2000']);
    expect(problems({ ...minimal, seeds: 101 })).toEqual(['seeds: seeds: at most 100']);
    expect(problems({ ...minimal, kd: { temperatures: range(33, 1) } })).toEqual([
      'kd.temperatures: at most 32 temperatures (one distilled student each per seed), not 33',
    ]);
    // 100 × (2 + 18) = 2,000 units is the largest plan; 100 × (2 + 19) = 2,100 is one too many.
    expect(problems({ ...minimal, seeds: 100, kd: { temperatures: range(18, 1) } })).toEqual([]);
    expect(problems({ ...minimal, seeds: 100, kd: { temperatures: range(19, 1) } })).toEqual([
      'seeds: 100 seeds × (teacher + student + 19 temperatures) = 2100 units; at most 2000 per study (fewer seeds or temperatures)',
    ]);
  });

  it('wants temperatures > 0 and unique, and α in [0, 1]', () => {
    expect(problems({ ...minimal, kd: { alpha: 1.5, temperatures: [4, 0, 4] } })).toEqual([
      'kd.alpha: alpha must be in [0, 1]',
      'kd.temperatures.1: temperatures must be > 0',
      'kd.temperatures.2: temperature 4 is listed twice',
    ]);
    expect(problems({ ...minimal, kd: { temperatures: [4, 2, 4] } })).toEqual([
      'kd.temperatures.2: temperature 4 is listed twice',
    ]);
    expect(problems({ ...minimal, kd: { alpha: 0, temperatures: [0.5] } })).toEqual([]);
  });

  it('refuses a text model on images and an image model on text', () => {
    expect(
      problems(withChanges((s) => Object.assign(s.teacher as object, { architecture: 'bigru' }))),
    ).toEqual([
      expect.stringMatching(
        /^teacher\.architecture: bigru is a text model but trifeature gives images/,
      ),
    ]);
    const hatexplain = {
      ...minimal,
      dataset: { name: 'hatexplain', root: 'data/hatexplain', sensitive: ['race'] },
      teacher: { ...minimal.teacher, architecture: 'transformer' },
      student: { ...minimal.student, architecture: 'lenet5' },
      evaluation: { individualFairness: { features: 'teacher-embedding' } },
    };
    expect(problems(hatexplain)).toEqual([
      expect.stringMatching(
        /^student\.architecture: lenet5 is an image model but hatexplain gives texts/,
      ),
    ]);
    expect(problems({ ...hatexplain, evaluation: {} })).toContain(
      'student.architecture: lenet5 is an image model but hatexplain gives texts; use transformer or bigru',
    );
    expect(problems({ ...hatexplain, evaluation: {} })).toContain(
      'evaluation.individualFairness.features: token ids have no meaningful distance; use teacher-embedding for text',
    );
  });

  it('checks label and sensitive attributes against what the data set has', () => {
    const celeba = {
      ...minimal,
      dataset: {
        name: 'celeba',
        root: 'c',
        imageSize: 64,
        label: 'Smiling',
        sensitive: ['Young', 'Smiling', 'Age', 'Young'],
      },
      teacher: { ...minimal.teacher, architecture: 'resnet50' },
      student: { ...minimal.student, architecture: 'resnet18' },
    };
    expect(problems(celeba)).toEqual([
      'dataset.sensitive.1: "Smiling" is the label; a sensitive attribute must be another one',
      expect.stringMatching(
        /^dataset\.sensitive\.2: celeba has no attribute "Age"; one of: 5_o_Clock_Shadow, /,
      ),
      'dataset.sensitive.3: "Young" is listed twice',
    ]);
    expect(problems({ ...minimal, dataset: { ...minimal.dataset, label: 'size' } })).toEqual([
      'dataset.label: trifeature has no label "size"; one of: shape, texture, color',
    ]);
    expect(
      problems({ ...minimal, dataset: { name: 'cifar10', root: 'c', sensitive: ['coarse'] } }),
    ).toEqual(['dataset.sensitive.0: cifar10 has no sensitive attributes; remove "coarse"']);
  });

  it('asks for what a data set needs: root, generator, csv columns, an image size', () => {
    expect(problems({ ...minimal, dataset: { name: 'cifar100' } })).toEqual([
      'dataset.root: cifar100 needs root: the folder with its files',
    ]);
    // Fashion-MNIST has a default folder (the Debian package's).
    expect(problems({ ...minimal, dataset: { name: 'fashion-mnist' } })).toEqual([]);
    expect(problems({ ...minimal, dataset: { name: 'trifeature' } })).toEqual([
      'dataset.generator: trifeature is generated: give generator { trainCount, testCount }',
    ]);
    expect(problems({ ...minimal, dataset: { name: 'csv', root: 'x.csv', label: 'y' } })).toEqual([
      'dataset.columns: csv needs columns with exactly one of path (images) or text',
    ]);
    expect(problems({ ...minimal, dataset: { name: 'imagenet', root: 'i' } })).toEqual([
      'dataset.imageSize: imagenet images vary in size: give imageSize, the side to resize to',
    ]);
  });

  it('checks image sizes the architectures accept', () => {
    const spec = {
      ...minimal,
      dataset: { name: 'imagenet', root: 'i', imageSize: 128 },
      teacher: { ...minimal.teacher, architecture: 'resnet50' },
    };
    expect(problems(spec)).toEqual([
      'teacher.architecture: resnet50 takes 32, 64 or 224 px images; the data are 128 px (set dataset.imageSize)',
    ]);
  });

  it('mirrors the trainer’s optimizer and schedule checks', () => {
    const bad = withChanges((s) => {
      Object.assign(s.teacher as object, {
        optimizer: { name: 'adamw' },
        schedule: { name: 'step', milestones: [1.5], gamma: 0 },
      });
      Object.assign(s.student as object, { optimizer: { name: 'sgd', momentum: 1 } });
    });
    expect(problems(bad)).toEqual([
      expect.stringMatching(/^teacher\.optimizer\.weightDecay: /),
      expect.stringMatching(/^teacher\.schedule\.milestones\.0: /),
      'teacher.schedule.gamma: gamma must be > 0',
      'student.optimizer.momentum: momentum must be in [0, 1)',
    ]);
  });

  it('flags a milestone past the end of training and options of another architecture', () => {
    const bad = withChanges((s) => {
      Object.assign(s.teacher as object, {
        epochs: 10,
        schedule: { name: 'step', milestones: [5, 10], gamma: 0.1 },
        options: { dModel: 64 },
      });
    });
    expect(problems(bad)).toEqual([
      'teacher.options.dModel: dModel applies to transformer, not reference-cnn',
      'teacher.schedule.milestones.1: milestone epoch 10 is not before the last epoch (10 epochs, counted from 0)',
    ]);
  });

  it('refuses unknown fields', () => {
    expect(problems({ ...minimal, temperature: 4 })).toEqual(['Unrecognized key: "temperature"']);
  });
});
