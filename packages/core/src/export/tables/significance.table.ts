import { loadRunClassAccuracies } from '../../db/queries/result-tables.ts';
import { loadTestSet } from '../../results/test-set.ts';
import { batchesOf } from '../batch-builder.ts';
import { type Cell, column } from '../export-table.ts';
import { ArmMatrices, studyArms } from '../study-arms.ts';
import type { TableSource } from '../table-context.ts';

/**
 * The paper's Table 1 in long form: per distilled temperature two rows, `SC` (NDS vs KD at T)
 * and `TC` (teacher vs KD at T), each counting the classes whose statistic changed
 * significantly — raw, after Holm, after BH — out of `tested`; all null when an arm of the pair
 * has fewer than two seeds. The API's `significanceSweep` gives the same counts.
 */
export const significanceTable: TableSource = async (ctx) => {
  const { db, experiment, request } = ctx;
  const columns = [
    column('experiment', 'utf8'),
    column('statistic', 'utf8'),
    column('alpha', 'double'),
    column('temperature', 'double'),
    column('comparison', 'utf8'),
    column('baseline', 'utf8'),
    column('raw', 'int32', true),
    column('holm', 'int32', true),
    column('bh', 'int32', true),
    column('tested', 'int32', true),
  ];
  const runs = await loadRunClassAccuracies(db, experiment.id);
  const testSet = runs.length > 0 ? await loadTestSet(db, experiment.id) : undefined;
  const matrices = new ArmMatrices(testSet?.numClasses ?? 0);
  const sweep = matrices.sweep(studyArms(runs), request.statistic, request.alpha);
  function* rows(): Generator<Cell[]> {
    for (const row of sweep) {
      for (const [comparison, baseline, counts] of [
        ['SC', 'NDS', row.sc],
        ['TC', 'Teacher', row.tc],
      ] as const) {
        yield [
          experiment.name,
          request.statistic,
          request.alpha,
          row.temperature,
          comparison,
          baseline,
          counts?.raw ?? null,
          counts?.holm ?? null,
          counts?.bh ?? null,
          counts?.tested ?? null,
        ];
      }
    }
  }
  return { columns, batches: batchesOf(columns.length, ctx.batchRows, rows()) };
};
