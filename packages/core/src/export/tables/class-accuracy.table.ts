import { loadRunClassAccuracies } from '../../db/queries/result-tables.ts';
import { loadTestSet } from '../../results/test-set.ts';
import { batchesOf } from '../batch-builder.ts';
import { type Cell, column } from '../export-table.ts';
import { compareRuns } from '../study-arms.ts';
import { runCells, runColumns, type TableSource } from '../table-context.ts';

/**
 * One row per run × class: the stored per-class accuracy (run_class_accuracy, what the API's
 * `Run.classAccuracy` and class comparisons read), null for a class without test examples, and
 * how many test examples the class has.
 */
export const classAccuracyTable: TableSource = async (ctx) => {
  const { db, experiment } = ctx;
  const columns = [
    ...runColumns,
    column('class_index', 'int32'),
    column('class_name', 'utf8'),
    column('examples', 'int32'),
    column('accuracy', 'double', true),
  ];
  const runs = (await loadRunClassAccuracies(db, experiment.id)).sort(compareRuns);
  const testSet = runs.length > 0 ? await loadTestSet(db, experiment.id) : undefined;
  const numClasses = testSet?.numClasses ?? 0;
  const counts = new Int32Array(numClasses);
  for (const y of testSet?.labels ?? []) counts[y] = (counts[y] as number) + 1;
  function* rows(): Generator<Cell[]> {
    for (const run of runs) {
      const identity = runCells(experiment.name, run);
      for (let c = 0; c < numClasses; c++) {
        const accuracy = run.perClass[c] as number;
        yield [
          ...identity,
          c,
          testSet?.classNames[c] ?? String(c),
          counts[c] as number,
          Number.isFinite(accuracy) ? accuracy : null,
        ];
      }
    }
  }
  return { columns, batches: batchesOf(columns.length, ctx.batchRows, rows()) };
};
