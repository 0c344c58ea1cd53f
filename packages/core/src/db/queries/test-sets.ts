import { eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../database.ts';
import {
  experiments,
  experimentTestSets,
  runPredictions,
  runs,
  testSetAttributes,
} from '../schema.ts';
import { float32FromBytes, int32FromBytes } from './array-codec.ts';
import type { Executor } from './executor.ts';
import { insertChunks, parametersPerRow } from './insert-chunks.ts';
import { ResultsInputError, TestSetConflictError } from './results-errors.ts';

/**
 * A test set as it is stored: arrays as little-endian bytes, each sensitive attribute already
 * factorised (value of example i = groups[codes[i]]), and the digest of all of it. Built by
 * core's results module (recordTestSet), which validates the input first.
 */
export interface EncodedTestSet {
  numClasses: number;
  classNames: string[];
  examples: number;
  /** Int32 LE, one class index per example. */
  labels: Buffer;
  exampleIds: string[] | null;
  /** Sorted by name. */
  attributes: { name: string; groups: (string | number)[]; codes: Buffer }[];
  /** Float32 LE examples × featureDim. */
  features: Buffer | null;
  featureDim: number | null;
  digest: string;
}

/**
 * Stores the test set of an experiment. Idempotent: the same digest again changes nothing.
 * A different one replaces it while no run has predictions, and is refused after that, since the
 * stored predictions would no longer line up with the labels.
 */
export async function storeTestSet(
  // A transaction is accepted so an import can write many runs atomically (a savepoint here).
  db: Executor,
  experimentId: string,
  e: EncodedTestSet,
): Promise<{ status: 'created' | 'unchanged' | 'replaced'; digest: string }> {
  return db.transaction(async (tx) => {
    // NO KEY UPDATE serialises recordTestSet per experiment without blocking the foreign-key
    // KEY SHARE locks an ingest takes on the experiment (FOR UPDATE could deadlock with one).
    const [experiment] = await tx
      .select({ id: experiments.id, name: experiments.name })
      .from(experiments)
      .where(eq(experiments.id, experimentId))
      .for('no key update');
    if (!experiment) {
      throw new ResultsInputError(`recordTestSet: no experiment has id ${experimentId}`);
    }
    // Waits for ingests in flight (they hold FOR SHARE), so the count below sees their runs.
    const [existing] = await tx
      .select({ digest: experimentTestSets.digest })
      .from(experimentTestSets)
      .where(eq(experimentTestSets.experimentId, experimentId))
      .for('update');
    if (existing?.digest === e.digest) return { status: 'unchanged' as const, digest: e.digest };
    // The same test set, to which a study later attached its teacher's embedding as features
    // (attachTestSetFeatures): unchanged, the features stay.
    if (e.features === null && existing?.digest.startsWith(`${e.digest}${ATTACHED_FEATURES}`)) {
      return { status: 'unchanged' as const, digest: existing.digest };
    }
    if (existing) {
      const [withPredictions] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(runPredictions)
        .innerJoin(runs, eq(runs.id, runPredictions.runId))
        .where(eq(runs.experimentId, experimentId));
      const n = withPredictions?.n ?? 0;
      if (n > 0) {
        throw new TestSetConflictError(
          `experiment "${experiment.name}" already has predictions of ${n} run(s) on a different test set ` +
            `(stored ${existing.digest.slice(0, 12)}…, given ${e.digest.slice(0, 12)}…); ` +
            'record the new test set under a new experiment, or delete those runs first',
        );
      }
    }
    const row = {
      numClasses: e.numClasses,
      classNames: e.classNames,
      examples: e.examples,
      labels: e.labels,
      exampleIds: e.exampleIds,
      features: e.features,
      featureDim: e.featureDim,
      digest: e.digest,
      updatedAt: sql`now()`,
    };
    await tx
      .insert(experimentTestSets)
      .values({ experimentId, ...row })
      .onConflictDoUpdate({ target: experimentTestSets.experimentId, set: row });
    await tx.delete(testSetAttributes).where(eq(testSetAttributes.experimentId, experimentId));
    const attributes = e.attributes.map((a) => ({ experimentId, ...a }));
    for (const chunk of insertChunks(attributes, parametersPerRow(attributes[0]))) {
      await tx.insert(testSetAttributes).values(chunk);
    }
    return { status: existing ? ('replaced' as const) : ('created' as const), digest: e.digest };
  });
}

/** Separates a test set's own digest from the digest of features attached to it later. */
const ATTACHED_FEATURES = '+features:';

/**
 * The digest of a test set's examples (labels, classes, attributes) without the features attached
 * later: what decides whether two experiments were evaluated on the same test set.
 */
export function examplesDigest(digest: string): string {
  const at = digest.indexOf(ATTACHED_FEATURES);
  return at === -1 ? digest : digest.slice(0, at);
}

/**
 * Attaches features (Float32 LE, examples × featureDim) to a stored test set that has none, e.g. a
 * study's teacher embedding, computed only once a teacher has trained. Idempotent and safe when
 * several workers race: the row is locked, and the first writer wins; later calls find features
 * and change nothing. The digest becomes `<the test set's digest>+features:<sha256 of the
 * features>`, so the results fingerprint (and the study summary) moves on, while recordTestSet
 * with the same test set and no features still reads as unchanged.
 */
export async function attachTestSetFeatures(
  db: Executor,
  experimentId: string,
  features: { bytes: Buffer; featureDim: number; digest: string },
): Promise<{ status: 'attached' | 'present'; digest: string } | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        digest: experimentTestSets.digest,
        examples: experimentTestSets.examples,
        featureDim: experimentTestSets.featureDim,
      })
      .from(experimentTestSets)
      .where(eq(experimentTestSets.experimentId, experimentId))
      .for('update');
    if (!row) return undefined;
    if (row.featureDim !== null) return { status: 'present' as const, digest: row.digest };
    if (features.bytes.length !== 4 * row.examples * features.featureDim) {
      throw new ResultsInputError(
        `attachTestSetFeatures: features.values has ${features.bytes.length / 4} values; the test set has ${row.examples} examples × d ${features.featureDim}`,
      );
    }
    const digest = `${row.digest}${ATTACHED_FEATURES}${features.digest}`;
    await tx
      .update(experimentTestSets)
      .set({
        features: features.bytes,
        featureDim: features.featureDim,
        digest,
        updatedAt: sql`now()`,
      })
      .where(eq(experimentTestSets.experimentId, experimentId));
    return { status: 'attached' as const, digest };
  });
}

/** A stored test set with its arrays decoded (views over the fetched bytes). */
export interface TestSetRows {
  experimentId: string;
  numClasses: number;
  classNames: string[];
  examples: number;
  labels: Int32Array;
  exampleIds: string[] | null;
  /** Sorted by name; value of example i = groups[codes[i]]. */
  attributes: { name: string; groups: (string | number)[]; codes: Int32Array }[];
  features: { values: Float32Array; d: number } | null;
  digest: string;
}

/**
 * The most bytes of features one statement reads (64 MiB). node-postgres receives bytea as hex
 * text (2 characters a byte, plus `\\x`) and V8 refuses strings over 536,870,888 characters, so a
 * single value of more than ~256 MiB cannot be read at all: the error is thrown inside the
 * socket's data listener and kills the process. Features are read in slices of this size instead.
 */
export const FEATURE_SLICE_BYTES = 2 ** 26;

/** How often a read restarts when the test set changed between two of its feature slices. */
const FEATURE_READ_ATTEMPTS = 3;

/**
 * The stored test set of an experiment, decoded; undefined when it has none. With `features`,
 * they are read in slices of `featureSliceBytes` (FEATURE_SLICE_BYTES by default; smaller ones in
 * tests) and assembled, so no single value node-postgres decodes is large.
 */
export async function readTestSet(
  db: Executor,
  experimentId: string,
  opts: { features?: boolean; lock?: boolean; featureSliceBytes?: number } = {},
): Promise<TestSetRows | undefined> {
  const sliceBytes = opts.featureSliceBytes ?? FEATURE_SLICE_BYTES;
  if (!Number.isSafeInteger(sliceBytes) || sliceBytes < 1 || sliceBytes > FEATURE_SLICE_BYTES) {
    throw new RangeError(
      `readTestSet: featureSliceBytes must be an integer in [1, ${FEATURE_SLICE_BYTES}], got ${sliceBytes}`,
    );
  }
  for (let attempt = 1; ; attempt++) {
    const read = await readTestSetOnce(db, experimentId, opts, sliceBytes);
    if (read !== 'changed') return read;
    if (attempt === FEATURE_READ_ATTEMPTS) {
      throw new Error(
        `readTestSet: experiment ${experimentId}'s test set changed while its features were read, ${attempt} times`,
      );
    }
  }
}

async function readTestSetOnce(
  db: Executor,
  experimentId: string,
  opts: { features?: boolean; lock?: boolean },
  sliceBytes: number,
): Promise<TestSetRows | undefined | 'changed'> {
  const query = db
    .select({
      numClasses: experimentTestSets.numClasses,
      classNames: experimentTestSets.classNames,
      examples: experimentTestSets.examples,
      labels: experimentTestSets.labels,
      exampleIds: experimentTestSets.exampleIds,
      featureDim: experimentTestSets.featureDim,
      digest: experimentTestSets.digest,
    })
    .from(experimentTestSets)
    .where(eq(experimentTestSets.experimentId, experimentId));
  // A share lock keeps the test set from being replaced under an ingest in progress.
  const [row] = opts.lock ? await query.for('share') : await query;
  if (!row) return undefined;
  const attributes = await db
    .select()
    .from(testSetAttributes)
    .where(eq(testSetAttributes.experimentId, experimentId))
    .orderBy(testSetAttributes.name);
  let features: TestSetRows['features'] = null;
  // Features can be large (examples × d); fetch them only when asked.
  if (opts.features && row.featureDim !== null) {
    // The table's check constraint: octet_length(features) = 4 × examples × featureDim.
    const bytes = await readFeatureSlices(
      db,
      experimentId,
      row.digest,
      4 * row.examples * row.featureDim,
      sliceBytes,
    );
    if (!bytes) return 'changed';
    features = { values: float32FromBytes(bytes), d: row.featureDim };
  }
  return {
    experimentId,
    numClasses: row.numClasses,
    classNames: row.classNames,
    examples: row.examples,
    labels: int32FromBytes(row.labels),
    exampleIds: row.exampleIds,
    attributes: attributes.map((a) => ({
      name: a.name,
      groups: a.groups,
      codes: int32FromBytes(a.codes),
    })),
    features,
    digest: row.digest,
  };
}

/**
 * The `total` bytes of a test set's features, `sliceBytes` per statement, into one buffer;
 * undefined when the test set's digest moved on between slices (it was replaced).
 */
async function readFeatureSlices(
  db: Executor,
  experimentId: string,
  digest: string,
  total: number,
  sliceBytes: number,
): Promise<Buffer | undefined> {
  // Not from the pool: a 4-byte aligned buffer of its own, viewed as Float32 without a copy.
  const out = Buffer.alloc(total);
  for (let from = 0; from < total; from += sliceBytes) {
    const length = Math.min(sliceBytes, total - from);
    const [slice] = await db
      .select({
        // substring counts from 1.
        bytes: sql<Buffer | null>`substring(${experimentTestSets.features} from ${from + 1}::int for ${length}::int)`,
        digest: experimentTestSets.digest,
      })
      .from(experimentTestSets)
      .where(eq(experimentTestSets.experimentId, experimentId));
    if (!slice || slice.digest !== digest || slice.bytes?.length !== length) return undefined;
    slice.bytes.copy(out, from);
  }
  return out;
}

/** Only the true labels of an experiment's test set (one small statement, no other arrays). */
export async function readTestLabels(
  db: Executor,
  experimentId: string,
): Promise<Int32Array | undefined> {
  const [row] = await db
    .select({ labels: experimentTestSets.labels })
    .from(experimentTestSets)
    .where(eq(experimentTestSets.experimentId, experimentId));
  return row ? int32FromBytes(row.labels) : undefined;
}

/** What a test set is, without its arrays: classes and sensitive attribute names. */
export interface TestSetHeader {
  experimentId: string;
  numClasses: number;
  classNames: string[];
  /** Sensitive attribute names, sorted. */
  attributes: string[];
  /** Names the test set: two experiments with the same digest have the same test set. */
  digest: string;
}

// Rows as node-postgres returns them; checked because the database is a boundary.
const headerRowSchema = z.object({
  experiment_id: z.string(),
  num_classes: z.number().int(),
  class_names: z.array(z.string()),
  attributes: z.array(z.string()),
  digest: z.string(),
});

// The one statement that lists a test set's attribute names.
const HEADERS_SQL = `
  select t.experiment_id, t.num_classes, t.class_names, t.digest,
    coalesce((select array_agg(a.name order by a.name) from test_set_attributes a
               where a.experiment_id = t.experiment_id), '{}') as attributes
  from experiment_test_sets t where t.experiment_id = any($1::uuid[])`;

/**
 * The test set headers of many experiments in one statement (the API batches its fields through
 * this); an experiment without a test set has no entry.
 */
export async function readTestSetHeaders(
  db: Database,
  experimentIds: readonly string[],
): Promise<TestSetHeader[]> {
  if (experimentIds.length === 0) return [];
  const result = await db.$client.query(HEADERS_SQL, [experimentIds]);
  return result.rows.map((raw) => {
    const row = headerRowSchema.parse(raw);
    return {
      experimentId: row.experiment_id,
      numClasses: row.num_classes,
      classNames: row.class_names,
      attributes: row.attributes,
      digest: row.digest,
    };
  });
}

/** A test set's identity: its digest covers the labels, class names, attributes and features. */
export interface TestSetIdentity {
  experimentId: string;
  numClasses: number;
  classNames: string[];
  examples: number;
  digest: string;
}

/**
 * The identity (digest and classes, no arrays) of many experiments' test sets in one statement;
 * an experiment without a test set has no entry.
 */
export async function readTestSetIdentities(
  db: Executor,
  experimentIds: readonly string[],
): Promise<TestSetIdentity[]> {
  if (experimentIds.length === 0) return [];
  return db
    .select({
      experimentId: experimentTestSets.experimentId,
      numClasses: experimentTestSets.numClasses,
      classNames: experimentTestSets.classNames,
      examples: experimentTestSets.examples,
      digest: experimentTestSets.digest,
    })
    .from(experimentTestSets)
    .where(inArray(experimentTestSets.experimentId, [...experimentIds]));
}
