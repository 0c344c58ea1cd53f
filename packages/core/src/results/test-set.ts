import { createHash } from 'node:crypto';
import { type GroupIndex, groupIndex, MetricsInputError } from '@kdlens/metrics';
import { z } from 'zod';
import { float32Bytes, int32Bytes, type NumericArray } from '../db/queries/array-codec.ts';
import {
  checkFiniteValues,
  checkIndices,
  checkLength,
  numericArraySchema,
  parseOrThrow,
} from '../db/queries/array-refinements.ts';
import type { Executor } from '../db/queries/executor.ts';
import { ResultsInputError } from '../db/queries/results-errors.ts';
import {
  attachTestSetFeatures,
  type EncodedTestSet,
  readTestSet,
  storeTestSet,
} from '../db/queries/test-sets.ts';

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
  // Validated and encoded before any statement runs: bad input costs no round-trip.
  const encoded = encodeTestSet(testSet);
  return storeTestSet(db, experimentId, encoded);
}

/**
 * At most this many feature values (examples × d) are attached: 512 MiB of Float32, half of a
 * bytea's limit. They read back in 64 MiB slices (readTestSet), since node-postgres could not
 * decode one value this large (bytea arrives as hex text, beyond V8's longest string).
 */
export const MAX_ATTACHED_FEATURE_VALUES = 2 ** 27;

const attachedFeaturesSchema = z
  .object({ values: numericArraySchema, d: z.number().int().min(1) })
  .superRefine((f, ctx) => {
    if (f.values.length > MAX_ATTACHED_FEATURE_VALUES) {
      ctx.addIssue({
        code: 'custom',
        path: ['values'],
        message: `${f.values.length} values (examples × d) exceed the cap of ${MAX_ATTACHED_FEATURE_VALUES}`,
      });
      return;
    }
    checkFiniteValues(ctx, ['values'], f.values, false);
  });

/**
 * Attaches individual-fairness features (examples × d row-major, e.g. a study's teacher embedding
 * of its test set) to the experiment's stored test set when it has none. Idempotent and safe under
 * concurrent callers: the first one stores them, the rest get `present`. Undefined when the
 * experiment has no test set yet.
 */
export async function recordTestSetFeatures(
  db: Executor,
  experimentId: string,
  features: { values: NumericArray; d: number },
): Promise<{ status: 'attached' | 'present'; digest: string } | undefined> {
  const f = parseOrThrow(attachedFeaturesSchema, features, 'recordTestSetFeatures: features');
  const bytes = float32Bytes(f.values);
  const hash = createHash('sha256')
    .update(JSON.stringify([f.d]))
    .update(bytes);
  return attachTestSetFeatures(db, experimentId, {
    bytes,
    featureDim: f.d,
    digest: hash.digest('hex'),
  });
}

/**
 * The stored test set, decoded; undefined when the experiment has none. Features (only with
 * `features`) are read in slices of `featureSliceBytes` (64 MiB unless a test asks for less).
 */
export async function loadTestSet(
  db: Executor,
  experimentId: string,
  opts: { features?: boolean; lock?: boolean; featureSliceBytes?: number } = {},
): Promise<StoredTestSet | undefined> {
  const row = await readTestSet(db, experimentId, opts);
  if (!row) return undefined;
  const sensitive: Record<string, GroupIndex> = {};
  for (const { name, groups, codes } of row.attributes) {
    const counts = new Float64Array(groups.length);
    for (const c of codes) counts[c] = (counts[c] as number) + 1;
    sensitive[name] = { groups, codes, counts };
  }
  return {
    experimentId,
    numClasses: row.numClasses,
    classNames: row.classNames,
    examples: row.examples,
    labels: row.labels,
    exampleIds: row.exampleIds,
    sensitive,
    features: row.features,
    digest: row.digest,
  };
}
