import { listRunsWithResults, loadRunGroupMetrics } from '../../db/queries/result-tables.ts';
import { batchesOf } from '../batch-builder.ts';
import { type Cell, column } from '../export-table.ts';
import { runCells, runColumns, type TableSource } from '../table-context.ts';

/**
 * One row per run × sensitive attribute × group: @kdlens/metrics groupMetrics as stored when the
 * run was saved (count, accuracy, and selection rate, TPR and FPR at `pos_label`). The API's
 * `groupFairness` shows each arm's mean of these over its seeds.
 */
export const groupsTable: TableSource = async (ctx) => {
  const { db, experiment } = ctx;
  const columns = [
    ...runColumns,
    column('attribute', 'utf8'),
    column('group', 'utf8'),
    column('pos_label', 'int32'),
    column('count', 'int32'),
    column('accuracy', 'double', true),
    column('selection_rate', 'double', true),
    column('tpr', 'double', true),
    column('fpr', 'double', true),
  ];
  const runs = (await listRunsWithResults(db, experiment.id)).filter((r) => r.results !== null);
  const stored = await loadRunGroupMetrics(db, experiment.id);
  function* rows(): Generator<Cell[]> {
    for (const { run } of runs) {
      const identity = runCells(experiment.name, { ...run, runId: run.id });
      for (const metrics of stored.filter((m) => m.runId === run.id)) {
        for (const g of metrics.byGroup) {
          yield [
            ...identity,
            metrics.attribute,
            String(g.group),
            metrics.posLabel,
            g.count,
            g.accuracy,
            g.selectionRate,
            g.tpr,
            g.fpr,
          ];
        }
      }
    }
  }
  return { columns, batches: batchesOf(columns.length, ctx.batchRows, rows()) };
};
