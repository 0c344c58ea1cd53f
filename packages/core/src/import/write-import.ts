import type { Database } from '../db/database.ts';
import { findOrCreateExperiment, touchExperiment } from '../db/queries/experiments.ts';
import { findOrCreateRun } from '../db/queries/runs.ts';
import { saveRunResults } from '../results/save-run-results.ts';
import { recomputeStudySummaryIn, type StoredStudySummary } from '../results/study-summary.ts';
import { recordTestSet } from '../results/test-set.ts';
import type { ImportedStudy } from './assemble-import.ts';

export interface ImportTarget {
  /** Experiment name; created when missing, else the runs are added to it. */
  experiment: string;
  /** Data set label of a new experiment (default 'imported'). */
  dataset?: string;
  /** Where the predictions came from, kept in the new experiment's spec for provenance. */
  files: readonly string[];
}

export interface ImportOutcome {
  experimentId: string;
  created: boolean;
  runsImported: number;
  summary: StoredStudySummary | null;
}

export interface WriteImportOptions {
  /**
   * Once aborted (the API request's deadline passed, its client already told TIMEOUT), the
   * transaction rolls back instead of committing: a client that gave up must not find the
   * import done later. Checked between steps and last of all, right before the commit.
   */
  signal?: AbortSignal;
}

/**
 * Writes a validated import in ONE transaction: the experiment (created if missing), its test
 * set, every run's predictions and per-class/per-group results, then the study summary once.
 * Any failure, including a test set that conflicts with runs already stored, rolls all of it
 * back, so the warehouse is either as before or holds the whole import.
 */
export async function writeImportedStudy(
  db: Database,
  target: ImportTarget,
  study: ImportedStudy,
  { signal }: WriteImportOptions = {},
): Promise<ImportOutcome> {
  return db.transaction(async (tx) => {
    signal?.throwIfAborted();
    const experiment = await findOrCreateExperiment(tx, {
      name: target.experiment,
      dataset: target.dataset ?? 'imported',
      spec: { source: 'import', files: [...target.files] },
      status: 'succeeded',
    });
    const { testSet } = study;
    await recordTestSet(tx, experiment.id, {
      numClasses: testSet.numClasses,
      classNames: testSet.classNames,
      labels: testSet.labels,
      exampleIds: testSet.ids,
      sensitive: testSet.sensitive,
    });
    for (const run of study.runs) {
      signal?.throwIfAborted();
      // The run row of an imported arm and seed: reused when the experiment already has it.
      const runId = await findOrCreateRun(tx, experiment.id, {
        role: run.role,
        temperature: run.temperature,
        seed: run.seed,
        architecture: run.architecture ?? 'imported',
      });
      await saveRunResults(
        tx,
        runId,
        {
          predicted: run.predicted,
          ...(run.probs === null
            ? {}
            : {
                probabilities: { kind: 'dense', numClasses: testSet.numClasses, values: run.probs },
              }),
        },
        // One summary at the end instead of one per run.
        { summary: 'defer' },
      );
    }
    const summary = await recomputeStudySummaryIn(tx, experiment.id);
    await touchExperiment(tx, experiment.id);
    // Throwing here rolls the transaction back; returning commits it.
    signal?.throwIfAborted();
    return {
      experimentId: experiment.id,
      created: experiment.created,
      runsImported: study.runs.length,
      summary,
    };
  });
}
