import type { Executor } from '../db/queries/executor.ts';
import { findExperimentsByIds } from '../db/queries/experiments.ts';
import { loadRunClassAccuracies } from '../db/queries/result-tables.ts';
import { examplesDigest, readTestSetIdentities } from '../db/queries/test-sets.ts';
import {
  type ComparedStudy,
  ExperimentComparisonError,
  MAX_COMPARED_EXPERIMENTS,
} from './experiment-comparison.ts';
import { getStudySummary } from './study-summary.ts';

/**
 * What compareExperiments needs of each experiment, in the order given: its name, its test set's
 * identity, its stored study summary and every run's stored per-class accuracy. Two statements
 * for all of them, then three per experiment (summary, results state, class accuracies); nothing
 * is recomputed. ExperimentComparisonError for too many ids or an unknown one, before any
 * per-experiment read.
 */
export async function loadComparedStudies(
  db: Executor,
  experimentIds: readonly string[],
): Promise<ComparedStudy[]> {
  if (experimentIds.length > MAX_COMPARED_EXPERIMENTS) {
    throw new ExperimentComparisonError(
      `experiments: give 2 to ${MAX_COMPARED_EXPERIMENTS} experiments, got ${experimentIds.length}`,
      null,
    );
  }
  const [rows, testSets] = await Promise.all([
    findExperimentsByIds(db, experimentIds),
    readTestSetIdentities(db, experimentIds),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  experimentIds.forEach((id, i) => {
    if (!byId.has(id)) {
      throw new ExperimentComparisonError(`experiments[${i}]: no experiment has id ${id}`, i);
    }
  });
  const testSetOf = new Map(testSets.map((t) => [t.experimentId, t]));
  return Promise.all(
    experimentIds.map(async (id): Promise<ComparedStudy> => {
      const [stored, runs] = await Promise.all([
        getStudySummary(db, id),
        loadRunClassAccuracies(db, id),
      ]);
      const t = testSetOf.get(id);
      return {
        experimentId: id,
        name: byId.get(id)?.name ?? id,
        testSet: t
          ? {
              digest: examplesDigest(t.digest),
              numClasses: t.numClasses,
              classNames: t.classNames,
              examples: t.examples,
            }
          : null,
        summary: stored?.summary ?? null,
        stale: stored?.stale ?? false,
        runs: runs.map((r) => ({
          role: r.role,
          temperature: r.temperature,
          seed: r.seed,
          overall: r.overall,
          perClass: r.perClass,
        })),
      };
    }),
  );
}
