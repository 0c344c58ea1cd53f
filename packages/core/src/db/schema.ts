import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { apiTokenRoles } from '../domain/api-token.ts';
import { experimentStatuses, type RunSummary, runRoles, runStatuses } from '../domain/run.ts';

export const runRoleEnum = pgEnum('run_role', runRoles);
export const runStatusEnum = pgEnum('run_status', runStatuses);
export const experimentStatusEnum = pgEnum('experiment_status', experimentStatuses);

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const experiments = pgTable(
  'experiments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
    dataset: text('dataset').notNull(),
    status: experimentStatusEnum('status').notNull().default('pending'),
    /** Operators' labels (domain/experiment-annotations.ts says what a tag may be). */
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    /** An operator's free-text note; null when none. */
    note: text('note'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('experiments_name_key').on(t.name),
    index('experiments_dataset_idx').on(t.dataset),
    index('experiments_status_idx').on(t.status),
    // The list's tag filter (`tags @> array[tag]`).
    index('experiments_tags_idx').using('gin', t.tags),
    // The counts repeat annotationLimits: a write that skipped the parser still cannot grow them.
    check('experiments_tags_count', sql`cardinality(${t.tags}) <= 16`),
    check('experiments_note_length', sql`${t.note} is null or char_length(${t.note}) <= 4000`),
  ],
);

export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    experimentId: uuid('experiment_id')
      .notNull()
      .references(() => experiments.id, { onDelete: 'cascade' }),
    role: runRoleEnum('role').notNull(),
    temperature: doublePrecision('temperature'),
    seed: integer('seed').notNull(),
    architecture: text('architecture').notNull(),
    backend: text('backend'),
    status: runStatusEnum('status').notNull().default('queued'),
    progress: doublePrecision('progress').notNull().default(0),
    epoch: integer('epoch').notNull().default(0),
    summary: jsonb('summary').$type<RunSummary>(),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    // Queue / operations (v2): the job queue claims, heartbeats, retries and cancels units here.
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
    attempt: integer('attempt').notNull().default(0),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    /** Who runs (or last ran) the unit, e.g. `hostname:pid`. */
    worker: text('worker'),
    /** One entry per finished epoch, ascending; recordEpoch replaces an epoch trained twice. */
    history: jsonb('history').$type<EpochEntry[]>().notNull().default(sql`'[]'::jsonb`),
    // Live progress of the current epoch, for the UI; null until the trainer reports it.
    etaSeconds: doublePrecision('eta_seconds'),
    imagesPerSec: doublePrecision('images_per_sec'),
    loss: doublePrecision('loss'),
    accuracy: doublePrecision('accuracy'),
    /**
     * Where a distilled run's soft targets came from: 'cached' = its teacher's logits on the
     * training split, computed once per seed and shared by that seed's distilled runs; 'live' =
     * the teacher's forward pass on every batch (augmented inputs, or a split too large to cache).
     * Null for teachers and plain students, and until the run trains.
     */
    teacherOutputs: text('teacher_outputs').$type<TeacherOutputs>(),
    ...timestamps,
  },
  (t) => [
    index('runs_experiment_idx').on(t.experimentId),
    index('runs_status_idx').on(t.status),
    // One run per arm and seed: re-running an experiment can never duplicate a unit.
    uniqueIndex('runs_unit_key').on(
      t.experimentId,
      t.role,
      sql`coalesce(${t.temperature}, -1)`,
      t.seed,
    ),
    check(
      'runs_temperature_only_when_distilled',
      sql`(${t.role} = 'distilled') = (${t.temperature} is not null)`,
    ),
    check('runs_temperature_positive', sql`${t.temperature} is null or ${t.temperature} > 0`),
    check('runs_progress_range', sql`${t.progress} >= 0 and ${t.progress} <= 1`),
    check(
      'runs_teacher_outputs',
      sql`${t.teacherOutputs} is null or ${t.teacherOutputs} in ('cached', 'live')`,
    ),
  ],
);

export const teacherOutputsKinds = ['cached', 'live'] as const;
export type TeacherOutputs = (typeof teacherOutputsKinds)[number];

/** One finished epoch of a run (runs.history). */
export interface EpochEntry {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  evalAccuracy: number | null;
  imagesPerSec: number;
  seconds: number;
}

/**
 * Arrays are stored as bytea of little-endian Int32 / Float32 (see queries/array-codec.ts): pg
 * sends a Buffer parameter in binary, so a 50,000-example run is one memcpy on the way in, where
 * int[] would be a 300 kB text literal to build and parse (bench/warehouse.bench.ts measures both).
 */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** The test examples of an experiment; every run's predictions line up with `labels`. */
export const experimentTestSets = pgTable(
  'experiment_test_sets',
  {
    experimentId: uuid('experiment_id')
      .primaryKey()
      .references(() => experiments.id, { onDelete: 'cascade' }),
    numClasses: integer('num_classes').notNull(),
    classNames: text('class_names').array().notNull(),
    examples: integer('examples').notNull(),
    /** Int32 LE, one true label per example, in the stable example order. */
    labels: bytea('labels').notNull(),
    /** Stable external ids (file names, dataset indices), when the data set has them. */
    exampleIds: text('example_ids').array(),
    /** Float32 LE, examples × featureDim, for individual fairness (input or embedding space). */
    features: bytea('features'),
    featureDim: integer('feature_dim'),
    /**
     * sha256 of everything above: recordTestSet is idempotent on it. Features attached later (a
     * teacher embedding, attachTestSetFeatures) append `+features:<sha256 of them>`.
     */
    digest: text('digest').notNull(),
    ...timestamps,
  },
  (t) => [
    check('experiment_test_sets_num_classes_positive', sql`${t.numClasses} >= 1`),
    check(
      'experiment_test_sets_class_names_length',
      sql`cardinality(${t.classNames}) = ${t.numClasses}`,
    ),
    check('experiment_test_sets_labels_length', sql`octet_length(${t.labels}) = 4 * ${t.examples}`),
    check(
      'experiment_test_sets_example_ids_length',
      sql`${t.exampleIds} is null or cardinality(${t.exampleIds}) = ${t.examples}`,
    ),
    check(
      'experiment_test_sets_features_shape',
      sql`(${t.features} is null and ${t.featureDim} is null) or (${t.featureDim} >= 1 and octet_length(${t.features}) = 4 * ${t.examples} * ${t.featureDim})`,
    ),
  ],
);

/** A sensitive attribute of the test set, factorised: value of example i = groups[codes[i]]. */
export const testSetAttributes = pgTable(
  'test_set_attributes',
  {
    experimentId: uuid('experiment_id').notNull(),
    name: text('name').notNull(),
    /** Distinct values in @kdlens/metrics groupIndex order (numbers ascending, strings by code point). */
    groups: jsonb('groups').$type<(string | number)[]>().notNull(),
    /** Int32 LE, one group position per example. */
    codes: bytea('codes').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.experimentId, t.name] }),
    // Named by hand: drizzle's default name is longer than PostgreSQL's 63-character limit.
    foreignKey({
      name: 'test_set_attributes_test_set_fk',
      columns: [t.experimentId],
      foreignColumns: [experimentTestSets.experimentId],
    }).onDelete('cascade'),
  ],
);

export const probabilityKinds = ['none', 'dense', 'top-k'] as const;
export type ProbabilityKind = (typeof probabilityKinds)[number];

/** A run's output on its experiment's test set: one row per run, arrays in bytea. */
export const runPredictions = pgTable(
  'run_predictions',
  {
    runId: uuid('run_id')
      .primaryKey()
      .references(() => runs.id, { onDelete: 'cascade' }),
    examples: integer('examples').notNull(),
    /** Int32 LE argmax class per example. */
    predicted: bytea('predicted').notNull(),
    probabilityKind: text('probability_kind').$type<ProbabilityKind>().notNull(),
    /** Values per example: numClasses when dense, k when top-k, null when none. */
    probabilityWidth: integer('probability_width'),
    /** Int32 LE examples × k class ids, most probable first (top-k only). */
    topClasses: bytea('top_classes'),
    /** Float32 LE examples × width softmax probabilities. */
    probabilities: bytea('probabilities'),
    /** Float32 LE examples × featureDim penultimate-layer features, when kept. */
    features: bytea('features'),
    featureDim: integer('feature_dim'),
    /** New on every save: the study summary's fingerprint is built from these. */
    resultsId: uuid('results_id').notNull().defaultRandom(),
    savedAt: timestamp('saved_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'run_predictions_probability_kind',
      sql`${t.probabilityKind} in ('none', 'dense', 'top-k')`,
    ),
    check(
      'run_predictions_predicted_length',
      sql`octet_length(${t.predicted}) = 4 * ${t.examples}`,
    ),
    check(
      'run_predictions_probabilities_shape',
      sql`case ${t.probabilityKind}
        when 'none' then ${t.probabilities} is null and ${t.topClasses} is null and ${t.probabilityWidth} is null
        when 'dense' then ${t.topClasses} is null and ${t.probabilities} is not null and octet_length(${t.probabilities}) = 4 * ${t.examples} * ${t.probabilityWidth}
        else ${t.probabilities} is not null and ${t.topClasses} is not null and octet_length(${t.probabilities}) = 4 * ${t.examples} * ${t.probabilityWidth} and octet_length(${t.topClasses}) = 4 * ${t.examples} * ${t.probabilityWidth}
      end`,
    ),
    check(
      'run_predictions_features_shape',
      sql`(${t.features} is null and ${t.featureDim} is null) or (${t.featureDim} >= 1 and octet_length(${t.features}) = 4 * ${t.examples} * ${t.featureDim})`,
    ),
  ],
);

/** Per-class accuracy of a run (@kdlens/metrics classAccuracy), NaN for a class with no examples. */
export const runClassAccuracy = pgTable('run_class_accuracy', {
  runId: uuid('run_id')
    .primaryKey()
    .references(() => runs.id, { onDelete: 'cascade' }),
  overall: doublePrecision('overall').notNull(),
  accuracy: doublePrecision('accuracy').array().notNull(),
});

/**
 * @kdlens/metrics groupMetrics of a run for one sensitive attribute. `metrics` is JSON as stored
 * (a NaN reads back as null): its readers parse it, so the warehouse layer needs no metrics types.
 */
export const runGroupMetrics = pgTable(
  'run_group_metrics',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    attribute: text('attribute').notNull(),
    /** The class treated as positive for selection rate, TPR and FPR. */
    posLabel: integer('pos_label').notNull(),
    metrics: jsonb('metrics').$type<unknown>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.attribute] })],
);

/**
 * summarizeStudy over the stored predictions of an experiment. A cache: `fingerprint` names the
 * run results it was computed from, so a reader can tell when runs changed since. `summary` and
 * `options` are JSON as stored; core's results module (src/results/) writes and parses them.
 */
export const studySummaries = pgTable('study_summaries', {
  experimentId: uuid('experiment_id')
    .primaryKey()
    .references(() => experiments.id, { onDelete: 'cascade' }),
  summary: jsonb('summary').$type<unknown>().notNull(),
  options: jsonb('options').$type<unknown>().notNull().default(sql`'{}'::jsonb`),
  fingerprint: text('fingerprint').notNull(),
  runCount: integer('run_count').notNull(),
  /** Distilled temperatures present, so "studies at T = 4" is a query on this column. */
  temperatures: doublePrecision('temperatures').array().notNull(),
  computeMs: doublePrecision('compute_ms').notNull(),
  computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
  // The headline numbers of `summary` (results/study-headline.ts), stored beside it so the
  // experiments list sorts by them in SQL; null where the summary has none.
  /** The teacher's mean accuracy over seeds. */
  teacherAccuracy: doublePrecision('teacher_accuracy'),
  /** The non-distilled student's mean accuracy over seeds. */
  ndsAccuracy: doublePrecision('nds_accuracy'),
  /** The best distilled arm's mean accuracy, and its temperature (the lowest T on a tie). */
  bestDistilledAccuracy: doublePrecision('best_distilled_accuracy'),
  bestDistilledTemperature: doublePrecision('best_distilled_temperature'),
  /** The largest mean DPD of any arm on any sensitive attribute, and that attribute. */
  maxDpd: doublePrecision('max_dpd'),
  maxDpdAttribute: text('max_dpd_attribute'),
});

/**
 * 'weights': a run's final weights; 'checkpoint': its latest resume point; 'teacher-logits': a
 * teacher's logits on the training split (float32, examples × classes, the split's order), which
 * the distilled runs of its seed read instead of running the teacher on every batch.
 */
export const runArtifactKinds = ['weights', 'checkpoint', 'teacher-logits'] as const;
export type RunArtifactKind = (typeof runArtifactKinds)[number];

/**
 * Model weights and the last training checkpoint, so any machine can fetch or resume them. The
 * bytes are in run_artifact_chunks: an artifact of any size (a ResNet-50's 100 MB) is written and
 * read a chunk at a time, never held whole in memory.
 */
export const runArtifacts = pgTable(
  'run_artifacts',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<RunArtifactKind>().notNull(),
    /** Format, epoch of a checkpoint, etc.; whatever the reader needs to use the bytes. */
    metadata: jsonb('metadata')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.kind] }),
    check('run_artifacts_kind', sql`${t.kind} in ('weights', 'checkpoint', 'teacher-logits')`),
  ],
);

/** An artifact's bytes, `seq` 0, 1, … in order, each at most ARTIFACT_CHUNK_BYTES. */
export const runArtifactChunks = pgTable(
  'run_artifact_chunks',
  {
    runId: uuid('run_id').notNull(),
    kind: text('kind').$type<RunArtifactKind>().notNull(),
    seq: integer('seq').notNull(),
    bytes: bytea('bytes').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.kind, t.seq] }),
    foreignKey({
      columns: [t.runId, t.kind],
      foreignColumns: [runArtifacts.runId, runArtifacts.kind],
    }).onDelete('cascade'),
  ],
);

export const apiTokenRoleEnum = pgEnum('api_token_role', apiTokenRoles);

/**
 * API bearer tokens. Only the SHA-256 of a token is stored: a leaked table (or backup) grants
 * nothing, and the token itself is shown once, when it is created.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    role: apiTokenRoleEnum('role').notNull(),
    /** Hex SHA-256 of the whole token string. */
    tokenHash: text('token_hash').notNull(),
    /** The token's first characters, enough to recognise it in a list and to revoke it by. */
    prefix: text('prefix').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_tokens_token_hash_key').on(t.tokenHash),
    index('api_tokens_prefix_idx').on(t.prefix),
  ],
);

export type ExperimentRow = typeof experiments.$inferSelect;
export type RunRow = typeof runs.$inferSelect;
export type TestSetRow = typeof experimentTestSets.$inferSelect;
export type RunPredictionsRow = typeof runPredictions.$inferSelect;
export type StudySummaryRow = typeof studySummaries.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;
