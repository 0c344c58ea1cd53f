import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import type { Transaction } from '../db/queries/executor.ts';
import { experiments, runs } from '../db/schema.ts';
import { saveRunResults } from '../results/save-run-results.ts';
import { recomputeStudySummaryIn, type StoredStudySummary } from '../results/study-summary.ts';
import { recordTestSet } from '../results/test-set.ts';
import type { ImportedRun, ImportedStudy } from './assemble-import.ts';

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

async function upsertExperiment(
  tx: Transaction,
  target: ImportTarget,
): Promise<{ id: string; created: boolean }> {
  const inserted = await tx
    .insert(experiments)
    .values({
      name: target.experiment,
      dataset: target.dataset ?? 'imported',
      spec: { source: 'import', files: [...target.files] },
      status: 'succeeded',
    })
    .onConflictDoNothing({ target: experiments.name })
    .returning({ id: experiments.id });
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const [existing] = await tx
    .select({ id: experiments.id })
    .from(experiments)
    .where(eq(experiments.name, target.experiment))
    .for('no key update');
  if (!existing) throw new Error(`experiment "${target.experiment}" vanished during the import`);
  return { id: existing.id, created: false };
}

/** The run row of an imported arm and seed: reused when the experiment already has it. */
async function runIdFor(tx: Transaction, experimentId: string, run: ImportedRun): Promise<string> {
  await tx
    .insert(runs)
    .values({
      experimentId,
      role: run.role,
      temperature: run.temperature,
      seed: run.seed,
      architecture: run.architecture ?? 'imported',
    })
    .onConflictDoNothing();
  const [row] = await tx
    .select({ id: runs.id })
    .from(runs)
    .where(
      and(
        eq(runs.experimentId, experimentId),
        eq(runs.role, run.role),
        run.temperature === null ? isNull(runs.temperature) : eq(runs.temperature, run.temperature),
        eq(runs.seed, run.seed),
      ),
    );
  if (!row) throw new Error(`run ${run.role}/${run.seed} vanished during the import`);
  return row.id;
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
    const experiment = await upsertExperiment(tx, target);
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
      const runId = await runIdFor(tx, experiment.id, run);
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
    await tx
      .update(experiments)
      .set({ updatedAt: sql`now()` })
      .where(eq(experiments.id, experiment.id));
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
