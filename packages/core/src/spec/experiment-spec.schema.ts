/**
 * An experiment spec: everything that reproduces one study (after torchdistill's declarative
 * configs). Defaults are written into the schema, not left to the code that reads it, so a
 * parsed spec states every choice; `kdlens spec show` and the warehouse store that full form.
 * Each field's `.describe()` text is its entry in docs/specs.md (`npm run docs:generate`).
 */
import { z } from 'zod';
import {
  type ArchitectureName,
  acceptsImageSize,
  architectureInputKind,
  architectureNameSchema,
} from '../domain/architectures.ts';
import { backendNameSchema } from '../domain/backend.ts';
import { type DatasetName, datasetNameSchema, datasetTraits } from '../domain/datasets.ts';
import { lrScheduleSchema } from './lr-schedule.schema.ts';
import { optimizerConfigSchema } from './optimizer-config.schema.ts';

/**
 * A study's size is bounded so one launch cannot queue work (or rows) without end: seeds ×
 * (teacher + student + temperatures) units, each a training run.
 */
export const specLimits = { seeds: 100, temperatures: 32, units: 2_000 } as const;

const positiveInt = (what: string) =>
  z.int(`${what} must be an integer`).min(1, `${what} must be >= 1`);

/** Trifeature's generator options (apps/trainer/src/datasets/trifeature/trifeature.dataset.ts). */
export const trifeatureGeneratorSchema = z.strictObject({
  seed: z
    .int()
    .min(0)
    .default(0)
    .describe('seeds the image stream; the same for every unit, so all arms see the same images'),
  trainCount: positiveInt('trainCount').describe('training images to generate'),
  testCount: positiveInt('testCount').describe('test images to generate'),
  correlation: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('probability that an image takes its shape’s own colour (shape i → colour i)'),
  testCorrelation: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('shape–colour correlation of the test split; omitted = the training one'),
});

/** CSV data sets: which columns hold the input and the split (the label is `dataset.label`). */
export const csvColumnsSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .optional()
    .describe('column holding each image’s path (relative to the CSV’s folder)'),
  text: z.string().min(1).optional().describe('column holding each example’s text'),
  split: z
    .string()
    .min(1)
    .optional()
    .describe('column naming each row’s split (`train`, `test`, …)'),
});

export const datasetSpecSchema = z
  .strictObject({
    name: datasetNameSchema.describe('which loader reads the data (docs/training.md#data-sets)'),
    root: z
      .string()
      .min(1)
      .optional()
      .describe(
        'the folder (CSV: the file) with the publisher’s files; a relative path is taken from the spec file’s folder (a preset’s, from where kdlens runs) and stored absolute. Not needed for generated data or where a default folder exists. Must lie inside `KDLENS_DATA_ROOTS`',
      ),
    label: z
      .string()
      .min(1)
      .optional()
      .describe(
        'the attribute the models predict; omitted = the data set’s default (e.g. CelebA Smiling)',
      ),
    sensitive: z
      .array(z.string().min(1))
      .default([])
      .describe('attributes the group-fairness metrics group by'),
    imageSize: z
      .int()
      .min(8, 'imageSize must be >= 8')
      .optional()
      .describe(
        'side in pixels the images are resized (or generated) to; omitted = the data set’s own',
      ),
    validationSplit: z
      .number()
      .min(0)
      .lt(1, 'validationSplit must be < 1')
      .default(0)
      .describe(
        'share of the training split held out for validation (stratified, seeded); 0 = none, or the publisher’s own validation split where it ships one (CelebA, HateXplain)',
      ),
    subset: z
      .strictObject({
        train: positiveInt('subset.train').optional().describe('training examples to keep'),
        test: positiveInt('subset.test').optional().describe('test examples to keep'),
      })
      .optional()
      .describe(
        'caps a split at n examples (a class-stratified sample, the same for every unit), for quick runs',
      ),
    augment: z
      .strictObject({
        padding: z
          .int()
          .min(0)
          .default(4)
          .describe('zero padding in pixels before the random crop'),
        flip: z.boolean().default(true).describe('random horizontal flip'),
      })
      .optional()
      .describe(
        'training-batch augmentation of image data (He et al. 2016: zero-pad 4, random crop, horizontal flip), seeded per step; omitted = none',
      ),
    maxLength: positiveInt('maxLength')
      .optional()
      .describe('text data sets: token ids per example'),
    generator: trifeatureGeneratorSchema
      .optional()
      .describe('generated data (trifeature) only, and required there'),
    columns: csvColumnsSchema
      .optional()
      .describe('CSV only, and required there: exactly one of `path` and `text`'),
  })
  .superRefine((dataset, ctx) =>
    checkDataset(dataset, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
  );
export type DatasetSpec = z.infer<typeof datasetSpecSchema>;

/** Architecture-specific options (apps/trainer/src/engine/models/index.ts BuildArchitectureOptions). */
export const modelOptionsSchema = z.strictObject({
  hidden: z.array(positiveInt('hidden')).min(1).optional().describe('mlp: hidden layer widths'),
  width: positiveInt('width')
    .max(256, 'width must be at most 256')
    .optional()
    .describe(
      'reference-cnn: channels of its first two convolutions (the last two have twice as many); default 16',
    ),
  dModel: positiveInt('dModel').optional().describe('transformer: model width'),
  numHeads: positiveInt('numHeads').optional().describe('transformer: attention heads'),
  numLayers: positiveInt('numLayers').optional().describe('transformer: encoder layers'),
  ffDim: positiveInt('ffDim').optional().describe('transformer: feed-forward width'),
  dropout: z.number().min(0).lt(1).optional().describe('transformer: dropout rate'),
  pooling: z
    .enum(['mean', 'cls'])
    .optional()
    .describe('transformer: mean of the tokens or the first (CLS) token'),
  embeddingDim: positiveInt('embeddingDim').optional().describe('bigru: embedding width'),
  units: positiveInt('units').optional().describe('bigru: GRU units per direction'),
});
export type ModelOptions = z.infer<typeof modelOptionsSchema>;

const optionOwners: Record<keyof ModelOptions, readonly ArchitectureName[]> = {
  hidden: ['mlp'],
  width: ['reference-cnn'],
  dModel: ['transformer'],
  numHeads: ['transformer'],
  numLayers: ['transformer'],
  ffDim: ['transformer'],
  dropout: ['transformer'],
  pooling: ['transformer'],
  embeddingDim: ['bigru'],
  units: ['bigru'],
};

export const scheduleUnits = ['epoch', 'step'] as const;

/** How one arm's network is trained: the teacher, or the student (plain and distilled alike). */
export const modelSpecSchema = z
  .strictObject({
    architecture: architectureNameSchema.describe('the network (docs/training.md#models)'),
    epochs: positiveInt('epochs').describe('passes over the training split'),
    batchSize: positiveInt('batchSize').describe('examples per optimizer step'),
    learningRate: z
      .number()
      .positive('learningRate must be > 0')
      .describe('base rate; the schedule scales it'),
    optimizer: optimizerConfigSchema
      .default({ name: 'adam' })
      .describe('the optimizer, chosen by `name`'),
    schedule: lrScheduleSchema
      .default({ name: 'constant' })
      .describe('the learning-rate schedule, chosen by `name`'),
    // The paper's recipes are in epochs; the trainer counts optimizer steps (scheduleInSteps converts).
    scheduleUnit: z
      .enum(scheduleUnits)
      .default('epoch')
      .describe('what `schedule.milestones` and `schedule.warmupSteps` count'),
    options: modelOptionsSchema
      .default({})
      .describe('architecture-specific options; each applies to the architectures it names'),
    pretrained: z
      .string()
      .min(1)
      .optional()
      .describe(
        'a local model folder in tfjs layers format (model.json + weight shards), e.g. converted BERT-base / DistilBERT weights for HateXplain, to start from instead of a random init; matched by name and shape. Nothing is downloaded. Must lie inside `KDLENS_DATA_ROOTS`',
      ),
  })
  .superRefine((model, ctx) =>
    checkModel(model, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
  );
export type ModelSpec = z.infer<typeof modelSpecSchema>;

export const kdSpecSchema = z.strictObject({
  alpha: z
    .number()
    .min(0, 'alpha must be in [0, 1]')
    .max(1, 'alpha must be in [0, 1]')
    .default(0.8)
    .describe(
      'weight α of the soft (teacher) term in α·T²·KL + (1 − α)·CE; 0.8 as in the paper (after Hinton et al. 2015)',
    ),
  temperatures: z
    .array(z.number().positive('temperatures must be > 0'))
    .min(1, 'give at least one temperature')
    .superRefine((temperatures, ctx) => {
      // Before the quadratic duplicate check, which 200,000 entries would stall.
      if (temperatures.length > specLimits.temperatures) {
        ctx.addIssue({
          code: 'custom',
          message: `at most ${specLimits.temperatures} temperatures (one distilled student each per seed), not ${temperatures.length}`,
        });
        return;
      }
      for (const i of duplicates(temperatures)) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `temperature ${temperatures[i]} is listed twice`,
        });
      }
    })
    .default([2, 4, 6, 8, 10])
    .describe(
      'one distilled student per temperature and seed (at most 32); default the paper’s class-bias grid',
    ),
});

/**
 * A count n means seeds 0..n−1; a list is taken as given. Either way the parsed spec holds the
 * list, so readers never branch on the form.
 */
export const seedsSchema = z
  .union([
    positiveInt('seeds').max(specLimits.seeds, `seeds: at most ${specLimits.seeds}`),
    z
      .array(z.int('seeds must be integers').min(0, 'seeds must be >= 0'))
      .min(1, 'give at least one seed')
      .superRefine((seeds, ctx) => {
        // Here rather than .max(): zod reports a failed .max() inside a union as "Invalid input".
        if (seeds.length > specLimits.seeds) {
          ctx.addIssue({
            code: 'custom',
            message: `at most ${specLimits.seeds} seeds, not ${seeds.length}`,
          });
          return;
        }
        for (const i of duplicates(seeds)) {
          ctx.addIssue({ code: 'custom', path: [i], message: `seed ${seeds[i]} is listed twice` });
        }
      }),
  ])
  .default(5)
  .transform((seeds) =>
    typeof seeds === 'number' ? Array.from({ length: seeds }, (_, i) => i) : seeds,
  )
  .describe(
    'a count n (seeds 0..n−1, at most 100) or a list of distinct seeds; every arm is trained once per seed',
  );

export const individualFairnessFeatures = ['input', 'teacher-embedding'] as const;

export const evaluationSpecSchema = z.strictObject({
  topK: positiveInt('topK')
    .default(5)
    .describe('above 100 classes, how many top classes per test example keep their probability'),
  individualFairness: z
    .strictObject({
      features: z
        .enum(individualFairnessFeatures)
        .default('input')
        .describe(
          'the space distances d(x, x′) are measured in: raw inputs, or the teacher’s penultimate layer (the same for every arm, so arms stay comparable; text needs this one)',
        ),
      distance: z
        .enum(['euclidean', 'cosine'])
        .default('euclidean')
        .describe('the distance d(x, x′)'),
      pairs: z
        .union([z.literal('all'), positiveInt('pairs')])
        .default(10_000)
        .describe('Lipschitz ratio: every pair, or this many pairs sampled with the unit’s seed'),
      neighbors: positiveInt('neighbors')
        .default(5)
        .describe('kNN consistency (Zemel et al. 2013): neighbours per example, itself included'),
    })
    .prefault({})
    .describe('individual fairness: Lipschitz ratio and kNN consistency per arm'),
});

export const experimentSpecSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'name must be lower-case letters, digits, ".", "_" or "-"')
      .max(100)
      .describe(
        'the experiment’s unique name (lower-case letters, digits, `.`, `_`, `-`); running a spec again with the same name resumes it',
      ),
    description: z.string().optional().describe('one line for listings'),
    dataset: datasetSpecSchema.describe('the data every arm trains and is tested on'),
    teacher: modelSpecSchema.describe('how the teacher is trained'),
    student: modelSpecSchema.describe(
      'how the student is trained: the non-distilled student (NDS) and every distilled one alike',
    ),
    kd: kdSpecSchema.prefault({}).describe('the distillation loss and its temperatures'),
    seeds: seedsSchema,
    evaluation: evaluationSpecSchema
      .prefault({})
      .describe('what is stored and measured on the test split'),
    backend: backendNameSchema
      .default('auto')
      .describe(
        'TensorFlow.js backend; a machine’s `KDLENS_BACKEND` overrides it unless that is `auto`',
      ),
  })
  .superRefine((spec, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const units = spec.seeds.length * (2 + spec.kd.temperatures.length);
    // An over-long list was reported on its own; its product would only repeat that.
    const listsFit =
      spec.seeds.length <= specLimits.seeds &&
      spec.kd.temperatures.length <= specLimits.temperatures;
    if (listsFit && units > specLimits.units) {
      issue(
        ['seeds'],
        `${spec.seeds.length} seeds × (teacher + student + ${spec.kd.temperatures.length} temperatures) = ${units} units; at most ${specLimits.units} per study (fewer seeds or temperatures)`,
      );
    }
    const datasetInput = datasetInputKind(spec.dataset);
    for (const role of ['teacher', 'student'] as const) {
      const model = spec[role];
      const kind = architectureInputKind(model.architecture);
      if (datasetInput !== undefined && kind !== datasetInput) {
        issue(
          [role, 'architecture'],
          `${model.architecture} is ${article(kind)} ${kind} model but ${spec.dataset.name} gives ${datasetInput}s; use ${datasetInput === 'text' ? 'transformer or bigru' : 'an image architecture (resnet*, lenet5, mlp, reference-cnn)'}`,
        );
      }
      const size = spec.dataset.imageSize ?? datasetTraits[spec.dataset.name].nativeImageSize;
      const sizeProblem =
        size === undefined ? undefined : acceptsImageSize(model.architecture, size);
      if (kind === 'image' && sizeProblem !== undefined) {
        issue(
          [role, 'architecture'],
          `${sizeProblem}; the data are ${size} px (set dataset.imageSize)`,
        );
      }
    }
    if (datasetInput === 'text' && spec.evaluation.individualFairness.features === 'input') {
      issue(
        ['evaluation', 'individualFairness', 'features'],
        'token ids have no meaningful distance; use teacher-embedding for text',
      );
    }
    // With a known data input, a mismatch was reported per model above.
    if (
      datasetInput === undefined &&
      architectureInputKind(spec.teacher.architecture) !==
        architectureInputKind(spec.student.architecture)
    ) {
      issue(
        ['student', 'architecture'],
        'teacher and student must read the same input (both image or both text)',
      );
    }
  });

/** The parsed, defaulted spec. `seeds` is always a list. */
export type ExperimentSpec = z.infer<typeof experimentSpecSchema>;
/** What a spec file may contain (defaults not yet filled in; `seeds` a count or a list). */
export type ExperimentSpecInput = z.input<typeof experimentSpecSchema>;

type Report = (path: (string | number)[], message: string) => void;

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/** Indices of entries equal to an earlier one. */
function duplicates(values: readonly number[]): number[] {
  return values.flatMap((v, i) => (values.indexOf(v) < i ? [i] : []));
}

/** image or text; undefined for a CSV whose columns are missing (reported elsewhere). */
function datasetInputKind(dataset: DatasetSpec): 'image' | 'text' | undefined {
  const traits = datasetTraits[dataset.name];
  if (traits.input !== 'any') return traits.input;
  if (dataset.columns?.path !== undefined) return 'image';
  if (dataset.columns?.text !== undefined) return 'text';
  return undefined;
}

function checkDataset(dataset: DatasetSpec, issue: Report): void {
  const name: DatasetName = dataset.name;
  const traits = datasetTraits[name];
  if (dataset.root === undefined && !traits.generated && traits.defaultRoot === undefined) {
    issue(
      ['root'],
      `${name} needs root: the folder${name === 'csv' ? ' (CSV file)' : ''} with its files`,
    );
  }
  if (traits.generated && dataset.root !== undefined) {
    issue(['root'], `${name} is generated; remove root`);
  }
  if (
    traits.labels !== undefined &&
    dataset.label !== undefined &&
    !traits.labels.includes(dataset.label)
  ) {
    issue(
      ['label'],
      `${name} has no label "${dataset.label}"; one of: ${traits.labels.join(', ')}`,
    );
  }
  if (name === 'csv' && dataset.label === undefined) {
    issue(['label'], 'csv needs label: the column the models predict');
  }
  const label = dataset.label ?? traits.labels?.[0];
  dataset.sensitive.forEach((attribute, i) => {
    const path = ['sensitive', i];
    if (traits.attributes !== undefined && !traits.attributes.includes(attribute)) {
      issue(
        path,
        traits.attributes.length === 0
          ? `${name} has no sensitive attributes; remove "${attribute}"`
          : `${name} has no attribute "${attribute}"; one of: ${traits.attributes.join(', ')}`,
      );
    } else if (attribute === label) {
      issue(path, `"${attribute}" is the label; a sensitive attribute must be another one`);
    } else if (dataset.sensitive.indexOf(attribute) < i) {
      issue(path, `"${attribute}" is listed twice`);
    }
  });
  if (traits.generated && dataset.generator === undefined) {
    issue(['generator'], `${name} is generated: give generator { trainCount, testCount }`);
  }
  if (!traits.generated && dataset.generator !== undefined) {
    issue(['generator'], `only generated data sets (trifeature) take generator options`);
  }
  if (name === 'csv') {
    const columns = dataset.columns;
    if (columns === undefined || (columns.path === undefined) === (columns.text === undefined)) {
      issue(['columns'], 'csv needs columns with exactly one of path (images) or text');
    }
  } else if (dataset.columns !== undefined) {
    issue(['columns'], 'only csv data sets take columns');
  }
  const image = traits.input === 'image' || (name === 'csv' && dataset.columns?.path !== undefined);
  if (image && dataset.imageSize === undefined && traits.nativeImageSize === undefined) {
    issue(['imageSize'], `${name} images vary in size: give imageSize, the side to resize to`);
  }
  if (traits.input === 'text' && dataset.imageSize !== undefined) {
    issue(['imageSize'], `${name} is text; remove imageSize`);
  }
  if (traits.input === 'image' && dataset.maxLength !== undefined) {
    issue(['maxLength'], `${name} is images; remove maxLength`);
  }
}

function checkModel(model: ModelSpec, issue: Report): void {
  for (const key of Object.keys(model.options) as (keyof ModelOptions)[]) {
    const owners = optionOwners[key];
    if (model.options[key] !== undefined && !owners.includes(model.architecture)) {
      issue(['options', key], `${key} applies to ${owners.join(', ')}, not ${model.architecture}`);
    }
  }
  const { schedule } = model;
  // An invalid epoch count is reported on its own; comparing against it would only add noise.
  if (!(Number.isInteger(model.epochs) && model.epochs >= 1)) return;
  if (model.scheduleUnit === 'epoch' && schedule.name === 'step') {
    schedule.milestones.forEach((m, i) => {
      if (m >= model.epochs) {
        issue(
          ['schedule', 'milestones', i],
          `milestone epoch ${m} is not before the last epoch (${model.epochs} epochs, counted from 0)`,
        );
      }
    });
  }
  if (
    model.scheduleUnit === 'epoch' &&
    schedule.warmupSteps !== undefined &&
    schedule.warmupSteps >= model.epochs
  ) {
    issue(
      ['schedule', 'warmupSteps'],
      `warm-up (${schedule.warmupSteps} epochs) must be shorter than training (${model.epochs})`,
    );
  }
}
