import type { Estimate } from '@kdlens/metrics';
import { armLabel } from '../../report/arm-label.ts';
import { getStudySummary } from '../../results/study-summary.ts';
import { batchesOf } from '../batch-builder.ts';
import { type Cell, column } from '../export-table.ts';
import type { TableSource } from '../table-context.ts';

const finite = (v: number) => (Number.isFinite(v) ? v : null);

/** The bootstrap's confidence when the summary's options do not set one (@kdlens/metrics). */
const DEFAULT_CONFIDENCE = 0.95;

/**
 * The paper's Table 2 in long form: per sensitive attribute, arm and metric (`dpd`, `eod`) the
 * mean over seeds, its sd and the bootstrap CI, from the stored study summary (what the API's
 * `groupFairness` serves). `summary_stale` is true when runs changed after the summary was
 * computed, as the API's `stale`.
 */
export const fairnessTable: TableSource = async (ctx) => {
  const { db, experiment } = ctx;
  const columns = [
    column('experiment', 'utf8'),
    column('attribute', 'utf8'),
    column('arm', 'utf8'),
    column('role', 'utf8'),
    column('temperature', 'double', true),
    column('seeds', 'int32'),
    column('metric', 'utf8'),
    column('mean', 'double', true),
    column('sd', 'double', true),
    column('ci_lower', 'double', true),
    column('ci_upper', 'double', true),
    column('ci_level', 'double'),
    column('summary_stale', 'boolean'),
  ];
  const stored = await getStudySummary(db, experiment.id);
  const level = stored?.options.bootstrap?.confidence ?? DEFAULT_CONFIDENCE;
  function* rows(): Generator<Cell[]> {
    for (const attribute of stored?.summary.groupFairness ?? []) {
      for (const arm of attribute.arms) {
        for (const [metric, e] of [
          ['dpd', arm.dpd],
          ['eod', arm.eod],
        ] as [string, Estimate][]) {
          yield [
            experiment.name,
            attribute.attribute,
            armLabel(arm),
            arm.role,
            arm.temperature,
            e.values.length,
            metric,
            finite(e.mean),
            finite(e.sd),
            finite(e.lower),
            finite(e.upper),
            level,
            stored?.stale ?? false,
          ];
        }
      }
    }
  }
  return { columns, batches: batchesOf(columns.length, ctx.batchRows, rows()) };
};
