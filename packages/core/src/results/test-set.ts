import { createHash } from 'node:crypto';
import { type GroupIndex, groupIndex, MetricsInputError } from '@kdlens/metrics';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  float32Bytes,
  float32FromBytes,
  int32Bytes,
  int32FromBytes,
  type NumericArray,
} from '../db/queries/array-codec.ts';
import {
  checkFiniteValues,
  checkIndices,
  checkLength,
  numericArraySchema,
  parseOrThrow,
} from '../db/queries/array-refinements.ts';
import type { Executor } from '../db/queries/executor.ts';
import { insertChunks, parametersPerRow } from '../db/queries/insert-chunks.ts';
import { ResultsInputError, TestSetConflictError } from '../db/queries/results-errors.ts';
import {
  experiments,
  experimentTestSets,
  runPredictions,
  runs,
  testSetAttributes,
} from '../db/schema.ts';

/** The test examples of an experiment, in the stable order every run's predictions follow. */
export interface TestSetInput {
  numClasses: number;
  /** Default: "0", "1", …; one per class. */
  classNames?: readonly string[];
  /** True label per example, integers in [0, numClasses). */
  labels: NumericArray;
  /** Stable external ids (file names, dataset indices), one per example. */
  exampleIds?: readonly string[];
  /** Sensitive attributes by name, one value per example (e.g. { Male: [...] }). */
  sensitive?: Readonly<Record<string, ArrayLike<string | number>>>;
  /** Features for individual fairness, examples × d row-major (stored as Float32). */
  features?: { values: NumericArray; d: number };
}

export interface StoredTestSet {
  experimentId: string;
  numClasses: number;
  classNames: string[];
  examples: number;
  labels: Int32Array;
  exampleIds: string[] | null;
  /** Each attribute already factorised, ready for @kdlens/metrics (GroupIndex). */
  sensitive: Record<string, GroupIndex>;
  features: { values: Float32Array; d: number } | null;
  digest: string;
}

const sensitiveValuesSchema = z.custom<ArrayLike<string | number>>(
  (v) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView)),
  'expected an array of strings or numbers',
);

const testSetSchema = z
  .object({
    numClasses: z.number().int().min(1),
    classNames: z.array(z.string()).optional(),
    labels: numericArraySchema,
    exampleIds: z.array(z.string()).optional(),
    sensitive: z.record(z.string().min(1), sensitiveValuesSchema).optional(),
    features: z.object({ values: numericArraySchema, d: z.number().int().min(1) }).optional(),
  })
  .superRefine((t, ctx) => {
    const n = t.labels.length;
    if (t.classNames) checkLength(ctx, ['classNames'], t.classNames, t.numClasses, 'numClasses');
    checkIndices(ctx, ['labels'], t.labels, t.numClasses, 'a class index');
    if (t.exampleIds) checkLength(ctx, ['exampleIds'], t.exampleIds, n, 'labels');
    for (const [name, values] of Object.entries(t.sensitive ?? {})) {
      checkLength(ctx, ['sensitive', name], values, n, 'labels');
    }
    if (
      t.features &&
      checkLength(ctx, ['features', 'values'], t.features.values, n * t.features.d, 'labels × d')
    ) {
      checkFiniteValues(ctx, ['features', 'values'], t.features.values, false);
    }
  });

interface EncodedTestSet {
  numClasses: number;
  classNames: string[];
  examples: number;
  labels: Buffer;
  exampleIds: string[] | null;
  attributes: { name: string; groups: (string | number)[]; codes: Buffer }[];
  features: Buffer | null;
  featureDim: number | null;
  digest: string;
}

function encodeTestSet(input: TestSetInput): EncodedTestSet {
  const t = parseOrThrow(testSetSchema, input, 'recordTestSet');
  const attributes = Object.keys(t.sensitive ?? {})
    .sort()
    .map((name) => {
      let index: GroupIndex;
      try {
        index = groupIndex(t.sensitive?.[name] ?? [], `sensitive.${name}`);
      } catch (error) {
        if (error instanceof MetricsInputError) {
          throw new ResultsInputError(`recordTestSet: ${error.message}`);
        }
        throw error;
      }
      return { name, groups: index.groups, codes: int32Bytes(index.codes) };
    });
  const encoded = {
    numClasses: t.numClasses,
    classNames: t.classNames
      ? [...t.classNames]
      : Array.from({ length: t.numClasses }, (_, c) => String(c)),
    examples: t.labels.length,
    labels: int32Bytes(t.labels),
    exampleIds: t.exampleIds ? [...t.exampleIds] : null,
    attributes,
    features: t.features ? float32Bytes(t.features.values) : null,
    featureDim: t.features?.d ?? null,
  };
  // Everything that changes what a prediction means goes into the digest.
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify([
      encoded.numClasses,
      encoded.classNames,
      encoded.exampleIds,
      encoded.featureDim,
    ]),
  );
  hash.update(encoded.labels);
  for (const a of attributes) {
    hash.update(JSON.stringify([a.name, a.groups]));
    hash.update(a.codes);
  }
  if (encoded.features) hash.update(encoded.features);
  return { ...encoded, digest: hash.digest('hex') };
}

/**
 * Records the test set of an experiment. Idempotent: the same test set again changes nothing.
 * A different one replaces it while no run has predictions, and is refused after that, since the
 * stored predictions would no longer line up with the labels.
 */
export async function recordTestSet(
  // A transaction is accepted so an import can write many runs atomically (a savepoint here).
  db: Executor,
  experimentId: string,
  testSet: TestSetInput,
): Promise<{ status: 'created' | 'unchanged' | 'replaced'; digest: string }> {
  const e = encodeTestSet(testSet);
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

/** The stored test set, decoded; undefined when the experiment has none. */
export async function loadTestSet(
  db: Executor,
  experimentId: string,
  opts: { features?: boolean; lock?: boolean } = {},
): Promise<StoredTestSet | undefined> {
  const query = db
    .select({
      numClasses: experimentTestSets.numClasses,
      classNames: experimentTestSets.classNames,
      examples: experimentTestSets.examples,
      labels: experimentTestSets.labels,
      exampleIds: experimentTestSets.exampleIds,
      featureDim: experimentTestSets.featureDim,
      // Features can be large (examples × d); fetch them only when asked.
      features: opts.features ? experimentTestSets.features : sql<Buffer | null>`null`,
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
  const sensitive: Record<string, GroupIndex> = {};
  for (const a of attributes) {
    const codes = int32FromBytes(a.codes);
    const counts = new Float64Array(a.groups.length);
    for (const c of codes) counts[c] = (counts[c] as number) + 1;
    sensitive[a.name] = { groups: a.groups, codes, counts };
  }
  return {
    experimentId,
    numClasses: row.numClasses,
    classNames: row.classNames,
    examples: row.examples,
    labels: int32FromBytes(row.labels),
    exampleIds: row.exampleIds,
    sensitive,
    features:
      row.features && row.featureDim
        ? { values: float32FromBytes(row.features), d: row.featureDim }
        : null,
    digest: row.digest,
  };
}
