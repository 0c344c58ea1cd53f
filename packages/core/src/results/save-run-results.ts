import {
  accuracy,
  classAccuracy,
  type GroupMetrics,
  groupMetrics,
  type StudyOptions,
} from '@kdlens/metrics';
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
import { deleteRunCheckpoint } from '../db/queries/run-artifacts.ts';
import { lockRunForResults, writeRunResults } from '../db/queries/run-results.ts';
import { type RunSummary, runSummarySchema } from '../domain/run.ts';
import { recomputeStudySummaryIn, type StoredStudySummary } from './study-summary.ts';
import { loadTestSet } from './test-set.ts';

/** Softmax probabilities per test example, as the trainer's evaluateSplit returns them. */
export type RunProbabilities =
  | {
      kind: 'dense';
      numClasses: number;
      /** Row-major examples × numClasses. */
      values: NumericArray;
    }
  | {
      kind: 'top-k';
      k: number;
      /** Row-major examples × k class ids, most probable first. */
      ids: NumericArray;
      /** Row-major examples × k, their probabilities. */
      values: NumericArray;
    };

/** What a finished run produced on its experiment's test set, in the test set's order. */
export interface RunResultsInput {
  /** Argmax class per example. */
  predicted: NumericArray;
  probabilities?: RunProbabilities;
  /** Penultimate-layer features, examples × d row-major (stored as Float32). */
  features?: { values: NumericArray; d: number };
  /** For the v1 runs.summary the API shows; 0 when not given. */
  trainSeconds?: number;
  imagesPerSec?: number;
}

export interface SaveRunResultsOptions {
  /**
   * The queue worker's claim: the run must still be running under this worker, else nothing is
   * written (a worker that lost its unit to a retry or a cancel must not overwrite it).
   */
  claim?: { worker: string };
  /**
   * 'in-transaction' (default): the study summary is recomputed before the commit, so the run and
   * the summary that includes it appear together. 'defer': skip it (bulk loads of many runs),
   * the summary reads as stale until recomputeStudySummary runs.
   */
  summary?: 'in-transaction' | 'defer';
  /** Options for the summary; default: those it was last computed with. */
  studyOptions?: StudyOptions;
  /** The class whose selection rate / TPR / FPR run_group_metrics stores (default 1). */
  posLabel?: number;
}

export interface SavedRunResults {
  accuracy: number;
  /** The recomputed summary; null when deferred. */
  study: StoredStudySummary | null;
}

// Tolerance for float32 softmax outputs that round a hair above 1.
const PROBABILITY_SLACK = 1e-6;

function resultsSchema(numClasses: number, examples: number) {
  return z
    .object({
      predicted: numericArraySchema,
      probabilities: z
        .discriminatedUnion('kind', [
          z.object({
            kind: z.literal('dense'),
            numClasses: z.number().int(),
            values: numericArraySchema,
          }),
          z.object({
            kind: z.literal('top-k'),
            k: z.number().int().min(1).max(numClasses),
            ids: numericArraySchema,
            values: numericArraySchema,
          }),
        ])
        .optional(),
      features: z.object({ values: numericArraySchema, d: z.number().int().min(1) }).optional(),
      trainSeconds: z.number().nonnegative().optional(),
      imagesPerSec: z.number().nonnegative().optional(),
    })
    .superRefine((r, ctx) => {
      if (checkLength(ctx, ['predicted'], r.predicted, examples, 'the test set')) {
        checkIndices(ctx, ['predicted'], r.predicted, numClasses, 'a class index');
      }
      const p = r.probabilities;
      if (p?.kind === 'dense') {
        if (p.numClasses !== numClasses) {
          ctx.addIssue({
            code: 'custom',
            path: ['probabilities', 'numClasses'],
            message: `is ${p.numClasses} but the test set has ${numClasses} classes`,
          });
        } else if (
          checkLength(
            ctx,
            ['probabilities', 'values'],
            p.values,
            examples * numClasses,
            'examples × numClasses',
          )
        ) {
          checkFiniteValues(ctx, ['probabilities', 'values'], p.values, PROBABILITY_SLACK);
        }
      } else if (p?.kind === 'top-k') {
        const width = examples * p.k;
        if (checkLength(ctx, ['probabilities', 'ids'], p.ids, width, 'examples × k')) {
          checkIndices(ctx, ['probabilities', 'ids'], p.ids, numClasses, 'a class index');
        }
        if (checkLength(ctx, ['probabilities', 'values'], p.values, width, 'examples × k')) {
          checkFiniteValues(ctx, ['probabilities', 'values'], p.values, PROBABILITY_SLACK);
        }
      }
      const f = r.features;
      if (f && checkLength(ctx, ['features', 'values'], f.values, examples * f.d, 'examples × d')) {
        checkFiniteValues(ctx, ['features', 'values'], f.values, false);
      }
    });
}

/**
 * Stores a finished run's results in one transaction: predictions, per-class accuracy, per-group
 * metrics, the run's status and v1 summary, and (by default) the recomputed study summary. Any
 * error rolls all of it back; saving a run again replaces its results.
 */
export async function saveRunResults(
  // A transaction is accepted so an import can write many runs atomically (a savepoint here).
  db: Executor,
  runId: string,
  results: RunResultsInput,
  opts: SaveRunResultsOptions = {},
): Promise<SavedRunResults> {
  return db.transaction(async (tx) => {
    const run = await lockRunForResults(tx, runId);
    if (!run) throw new ResultsInputError(`saveRunResults: no run has id ${runId}`);
    if (opts.claim && (run.status !== 'running' || run.worker !== opts.claim.worker)) {
      throw new ResultsInputError(
        `saveRunResults: run ${runId} is no longer claimed by this worker (it is ${run.status}); its results were not saved`,
      );
    }
    const testSet = await loadTestSet(tx, run.experimentId, { lock: true });
    if (!testSet) {
      throw new ResultsInputError(
        `saveRunResults: experiment ${run.experimentId} has no test set; call recordTestSet first`,
      );
    }
    const { numClasses, examples, labels } = testSet;
    const r = parseOrThrow(resultsSchema(numClasses, examples), results, 'saveRunResults');

    const perClass = classAccuracy(labels, r.predicted, numClasses);
    const overall = examples === 0 ? 0 : accuracy(labels, r.predicted);
    const posLabel = opts.posLabel ?? 1;
    const byAttribute: { attribute: string; metrics: GroupMetrics }[] = Object.entries(
      testSet.sensitive,
    ).map(([attribute, index]) => ({
      attribute,
      metrics: groupMetrics(labels, r.predicted, index, { posLabel }),
    }));

    // The v1 summary stays filled so the API and web app that read it keep working.
    const summary: RunSummary = runSummarySchema.parse({
      accuracy: overall,
      classAccuracy: Array.from(perClass, (v) => (Number.isNaN(v) ? null : v)),
      classNames: testSet.classNames,
      testExamples: examples,
      trainSeconds: r.trainSeconds ?? 0,
      imagesPerSec: r.imagesPerSec ?? 0,
    });
    const p = r.probabilities;
    await writeRunResults(tx, runId, {
      prediction: {
        examples,
        predicted: int32Bytes(r.predicted),
        probabilityKind: p?.kind ?? 'none',
        probabilityWidth: p ? (p.kind === 'dense' ? numClasses : p.k) : null,
        topClasses: p?.kind === 'top-k' ? int32Bytes(p.ids) : null,
        probabilities: p ? float32Bytes(p.values) : null,
        features: r.features ? float32Bytes(r.features.values) : null,
        featureDim: r.features?.d ?? null,
      },
      classAccuracy: { overall, accuracy: Array.from(perClass) },
      posLabel,
      groupMetrics: byAttribute,
      summary,
    });
    // Retention: the run is succeeded now; its last checkpoint would only take space.
    await deleteRunCheckpoint(tx, runId);

    const study =
      opts.summary === 'defer'
        ? null
        : await recomputeStudySummaryIn(tx, run.experimentId, opts.studyOptions);
    return { accuracy: overall, study };
  });
}
