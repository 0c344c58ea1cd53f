/**
 * An experiment spec: everything that reproduces one study (after torchdistill's declarative
 * configs). Defaults are written into the schema, not left to the code that reads it, so a
 * parsed spec states every choice; `kdlens spec show` and the warehouse store that full form.
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
  /** Seeds the image stream; the same for every unit, so all arms see the same images. */
  seed: z.int().min(0).default(0),
  trainCount: positiveInt('trainCount'),
  testCount: positiveInt('testCount'),
  /** Probability that an image takes its shape's own colour (shape i → colour i). */
  correlation: z.number().min(0).max(1).default(0),
  /** Shape–colour correlation of the test split; omitted = the training one. */
  testCorrelation: z.number().min(0).max(1).optional(),
});

/** CSV data sets: which columns hold the input and the split (the label is `dataset.label`). */
export const csvColumnsSchema = z.strictObject({
  path: z.string().min(1).optional(),
  text: z.string().min(1).optional(),
  split: z.string().min(1).optional(),
});

export const datasetSpecSchema = z
  .strictObject({
    name: datasetNameSchema,
    /**
     * The folder (CSV: the file) with the publisher's files; a relative path is taken from the
     * spec file's folder (a preset's, from where kdlens runs). Not needed for generated data or
     * where a default folder exists.
     */
    root: z.string().min(1).optional(),
    /** The attribute the models predict; omitted = the data set's default (e.g. CelebA Smiling). */
    label: z.string().min(1).optional(),
    /** Attributes the group-fairness metrics group by. */
    sensitive: z.array(z.string().min(1)).default([]),
    /** Side in pixels the images are resized (or generated) to; omitted = the data set's own. */
    imageSize: z.int().min(8, 'imageSize must be >= 8').optional(),
    /**
     * Share of the training split held out for validation (stratified, seeded); 0 = none, or the
     * publisher's own validation split where it ships one (CelebA, HateXplain).
     */
    validationSplit: z.number().min(0).lt(1, 'validationSplit must be < 1').default(0),
    /** Caps a split at n examples (a class-stratified sample, the same for every unit), for quick runs. */
    subset: z
      .strictObject({
        train: positiveInt('subset.train').optional(),
        test: positiveInt('subset.test').optional(),
      })
      .optional(),
    /**
     * Training-batch augmentation of image data (He et al. 2016: zero-pad 4, random crop,
     * horizontal flip), seeded per step; omitted = none.
     */
    augment: z
      .strictObject({
        padding: z.int().min(0).default(4),
        flip: z.boolean().default(true),
      })
      .optional(),
    /** Text data sets: token ids per example. */
    maxLength: positiveInt('maxLength').optional(),
    /** Trifeature only (required there). */
    generator: trifeatureGeneratorSchema.optional(),
    /** CSV only (required there): exactly one of `path` and `text`. */
    columns: csvColumnsSchema.optional(),
  })
  .superRefine((dataset, ctx) =>
    checkDataset(dataset, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
  );
export type DatasetSpec = z.infer<typeof datasetSpecSchema>;

/** Architecture-specific options (apps/trainer/src/engine/models/index.ts BuildArchitectureOptions). */
export const modelOptionsSchema = z.strictObject({
  /** mlp: hidden widths. */
  hidden: z.array(positiveInt('hidden')).min(1).optional(),
  /** transformer. */
  dModel: positiveInt('dModel').optional(),
  numHeads: positiveInt('numHeads').optional(),
  numLayers: positiveInt('numLayers').optional(),
  ffDim: positiveInt('ffDim').optional(),
  dropout: z.number().min(0).lt(1).optional(),
  pooling: z.enum(['mean', 'cls']).optional(),
  /** bigru. */
  embeddingDim: positiveInt('embeddingDim').optional(),
  units: positiveInt('units').optional(),
});
export type ModelOptions = z.infer<typeof modelOptionsSchema>;

const optionOwners: Record<keyof ModelOptions, readonly ArchitectureName[]> = {
  hidden: ['mlp'],
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
    architecture: architectureNameSchema,
    epochs: positiveInt('epochs'),
    batchSize: positiveInt('batchSize'),
    /** Base rate; the schedule scales it. */
    learningRate: z.number().positive('learningRate must be > 0'),
    optimizer: optimizerConfigSchema.default({ name: 'adam' }),
    schedule: lrScheduleSchema.default({ name: 'constant' }),
    /**
     * What `schedule.milestones` and `schedule.warmupSteps` count. The paper's recipes are in
     * epochs; the trainer counts optimizer steps (scheduleInSteps converts).
     */
    scheduleUnit: z.enum(scheduleUnits).default('epoch'),
    options: modelOptionsSchema.default({}),
    /**
     * A local model folder in tfjs layers format (model.json + weight shards), e.g. converted
     * BERT-base / DistilBERT weights for HateXplain, to start from instead of a random init.
     * Nothing is downloaded.
     */
    pretrained: z.string().min(1).optional(),
  })
  .superRefine((model, ctx) =>
    checkModel(model, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
  );
export type ModelSpec = z.infer<typeof modelSpecSchema>;

export const kdSpecSchema = z.strictObject({
  /** Weight of the soft (teacher) term; 0.8 as in the paper (after Hinton et al. 2015). */
  alpha: z
    .number()
    .min(0, 'alpha must be in [0, 1]')
    .max(1, 'alpha must be in [0, 1]')
    .default(0.8),
  /** One distilled student per temperature and seed; default the paper's class-bias grid. */
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
    .default([2, 4, 6, 8, 10]),
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
  );

export const individualFairnessFeatures = ['input', 'teacher-embedding'] as const;

export const evaluationSpecSchema = z.strictObject({
  /** Above 100 classes, how many top classes per test example keep their probability. */
  topK: positiveInt('topK').default(5),
  individualFairness: z
    .strictObject({
      /**
       * The space distances d(x, x′) are measured in: raw inputs, or the teacher's penultimate
       * layer (the same for every arm, so arms stay comparable; text needs this one).
       */
      features: z.enum(individualFairnessFeatures).default('input'),
      distance: z.enum(['euclidean', 'cosine']).default('euclidean'),
      /** Lipschitz ratio: every pair, or this many pairs sampled with the unit's seed. */
      pairs: z.union([z.literal('all'), positiveInt('pairs')]).default(10_000),
      /** kNN consistency (Zemel et al. 2013): neighbours per example, itself included. */
      neighbors: positiveInt('neighbors').default(5),
    })
    .prefault({}),
});

export const experimentSpecSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'name must be lower-case letters, digits, ".", "_" or "-"')
      .max(100),
    /** One line for listings. */
    description: z.string().optional(),
    dataset: datasetSpecSchema,
    teacher: modelSpecSchema,
    student: modelSpecSchema,
    kd: kdSpecSchema.prefault({}),
    seeds: seedsSchema,
    evaluation: evaluationSpecSchema.prefault({}),
    backend: backendNameSchema.default('auto'),
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
