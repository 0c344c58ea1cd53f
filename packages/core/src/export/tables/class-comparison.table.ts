import type { ClassCorrection } from '@kdlens/metrics';
import { loadRunClassAccuracies } from '../../db/queries/result-tables.ts';
import { loadTestSet } from '../../results/test-set.ts';
import { batchesOf } from '../batch-builder.ts';
import { type Cell, column } from '../export-table.ts';
import { ArmMatrices, type StudyArm, studyArms } from '../study-arms.ts';
import type { TableSource } from '../table-context.ts';

const corrections: readonly ClassCorrection[] = ['none', 'holm', 'bh'];

const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);

/**
 * One row per arm pair × correction × class: what the API's `classComparison(a, b, statistic,
 * correction, alpha)` answers per class, for every pair of arms with at least two seeds (a
 * before b in the order teacher, NDS, distilled by T, so NDS → KD is the paper's SC and teacher →
 * KD its TC) and for each correction (none, holm, bh). `delta` is b − a of the tested statistic;
 * `accuracy_a`/`accuracy_b` are mean class accuracies whatever the statistic.
 */
export const classComparisonTable: TableSource = async (ctx) => {
  const { db, experiment, request } = ctx;
  const { statistic, alpha } = request;
  const columns = [
    column('experiment', 'utf8'),
    column('statistic', 'utf8'),
    column('alpha', 'double'),
    column('correction', 'utf8'),
    column('arm_a', 'utf8'),
    column('role_a', 'utf8'),
    column('temperature_a', 'double', true),
    column('seeds_a', 'int32'),
    column('arm_b', 'utf8'),
    column('role_b', 'utf8'),
    column('temperature_b', 'double', true),
    column('seeds_b', 'int32'),
    column('class_index', 'int32'),
    column('class_name', 'utf8'),
    column('accuracy_a', 'double', true),
    column('accuracy_b', 'double', true),
    column('statistic_a', 'double', true),
    column('statistic_b', 'double', true),
    column('sd_a', 'double', true),
    column('sd_b', 'double', true),
    column('delta', 'double', true),
    column('t', 'double', true),
    column('df', 'double', true),
    column('p', 'double', true),
    column('adjusted_p', 'double', true),
    column('significant', 'boolean'),
  ];
  const rowsOfRuns = await loadRunClassAccuracies(db, experiment.id);
  const testSet = rowsOfRuns.length > 0 ? await loadTestSet(db, experiment.id) : undefined;
  const numClasses = testSet?.numClasses ?? 0;
  // Welch needs a variance per arm: two seeds at least, as the API demands.
  const arms = studyArms(rowsOfRuns).filter((a) => a.runs.length >= 2);
  const matrices = new ArmMatrices(numClasses);
  const armCells = (arm: StudyArm): Cell[] => [
    arm.label,
    arm.role,
    arm.temperature,
    arm.runs.length,
  ];

  function* rows(): Generator<Cell[]> {
    for (const [i, a] of arms.entries()) {
      for (const b of arms.slice(i + 1)) {
        const raw = matrices.compare(a, b, 'raw', 'none', alpha);
        for (const correction of corrections) {
          const result = matrices.compare(a, b, statistic, correction, alpha);
          for (const row of result.perClass) {
            const c = row.classIndex;
            yield [
              experiment.name,
              statistic,
              alpha,
              correction,
              ...armCells(a),
              ...armCells(b),
              c,
              testSet?.classNames[c] ?? String(c),
              finite(raw.perClass[c]?.meanA),
              finite(raw.perClass[c]?.meanB),
              finite(row.meanA),
              finite(row.meanB),
              finite(row.sdA),
              finite(row.sdB),
              finite(row.delta),
              finite(row.t),
              finite(row.df),
              finite(row.pValue),
              finite(row.pAdjusted),
              row.significant,
            ];
          }
        }
      }
    }
  }
  return { columns, batches: batchesOf(columns.length, ctx.batchRows, rows()) };
};
