import type { GroupIndex } from '@kdlens/metrics';
import { listRunsWithResults } from '../../db/queries/result-tables.ts';
import { loadRunPredictions } from '../../db/queries/run-results.ts';
import { loadTestSet } from '../../results/test-set.ts';
import {
  type Cell,
  type ColumnType,
  type ColumnValues,
  column,
  type ExportColumn,
  type RowBatch,
} from '../export-table.ts';
import { runCells, runColumns, type TableContext, type TableSource } from '../table-context.ts';

/** A sensitive attribute's column type: numbers stay numbers when every group is one. */
function attributeType(groups: readonly (string | number)[]): ColumnType {
  if (groups.length === 0 || !groups.every((g) => typeof g === 'number')) return 'utf8';
  return groups.every((g) => Number.isInteger(g) && Math.abs(g) < 2 ** 31) ? 'int32' : 'double';
}

/** Every `stride`-th value of row-major `values` from `offset`, rows [start, end). */
function strided(
  values: Float32Array,
  stride: number,
  offset: number,
  start: number,
  end: number,
): Float32Array {
  const out = new Float32Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = values[i * stride + offset] as number;
  return out;
}

function stridedInt(
  values: Int32Array,
  stride: number,
  offset: number,
  start: number,
  end: number,
) {
  const out = new Int32Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = values[i * stride + offset] as number;
  return out;
}

/**
 * One row per run × test example: which run (experiment, run_id, role, temperature, seed,
 * architecture), which example (example_index in the stable order, example_id when the test set
 * has ids), label, pred, then the stored probabilities — `prob_0 … prob_{C−1}` for runs that keep
 * them all (≤ 100 classes), `top1_class, top1_prob … topK_*` for runs that keep the top k —
 * null where a run stored none, then one `attr_<name>` column per sensitive attribute (the
 * import format's names). Read one run at a time, so memory holds one run's arrays.
 */
export const predictionsTable: TableSource = async (ctx: TableContext) => {
  const { db, experiment } = ctx;
  const runs = (await listRunsWithResults(db, experiment.id)).filter((r) => r.results !== null);
  const testSet = await loadTestSet(db, experiment.id);
  let dense = 0;
  let topK = 0;
  for (const { results } of runs) {
    if (results?.probabilityKind === 'dense')
      dense = Math.max(dense, results.probabilityWidth ?? 0);
    if (results?.probabilityKind === 'top-k') topK = Math.max(topK, results.probabilityWidth ?? 0);
  }
  const attributes = Object.entries(testSet?.sensitive ?? {}).map(([name, index]) => ({
    name,
    index,
    type: attributeType(index.groups),
  }));
  const columns: ExportColumn[] = [
    ...runColumns,
    column('example_index', 'int32'),
    column('example_id', 'utf8', testSet?.exampleIds == null),
    column('label', 'int32'),
    column('pred', 'int32'),
    ...Array.from({ length: dense }, (_, c) => column(`prob_${c}`, 'float', true)),
    ...Array.from({ length: topK }, (_, j) => [
      column(`top${j + 1}_class`, 'int32', true),
      column(`top${j + 1}_prob`, 'float', true),
    ]).flat(),
    ...attributes.map((a) => column(`attr_${a.name}`, a.type, false)),
  ];

  async function* batches(): AsyncGenerator<RowBatch> {
    if (!testSet) return;
    const n = testSet.examples;
    const attributeValues = attributes.map(({ index, type }) => groupValues(index, type));
    for (const { run } of runs) {
      const stored = await loadRunPredictions(db, run.id, { probabilities: true });
      if (!stored) continue; // deleted since the listing (outside a snapshot only)
      const identity = runCells(experiment.name, { ...run, runId: run.id });
      const p = stored.probabilities;
      for (let start = 0; start < n; start += ctx.batchRows) {
        const end = Math.min(n, start + ctx.batchRows);
        const rows = end - start;
        const values: ColumnValues[] = identity.map((constant) => ({ constant }));
        values.push(
          Int32Array.from({ length: rows }, (_, i) => start + i),
          testSet.exampleIds ? testSet.exampleIds.slice(start, end) : { constant: null },
          testSet.labels.subarray(start, end),
          stored.predicted.subarray(start, end),
        );
        for (let c = 0; c < dense; c++) {
          values.push(
            p?.kind === 'dense' && c < p.numClasses
              ? strided(p.values, p.numClasses, c, start, end)
              : { constant: null },
          );
        }
        for (let j = 0; j < topK; j++) {
          const has = p?.kind === 'top-k' && j < p.k;
          values.push(
            has ? stridedInt(p.ids, p.k, j, start, end) : { constant: null },
            has ? strided(p.values, p.k, j, start, end) : { constant: null },
          );
        }
        for (const [a, attribute] of attributes.entries()) {
          const byGroup = attributeValues[a] as Cell[];
          const codes = attribute.index.codes.subarray(start, end);
          values.push(Array.from(codes, (code) => byGroup[code] ?? null));
        }
        yield { rows, values };
      }
    }
  }
  return { columns, batches: batches() };
};

/** Each group's value as the attribute's column holds it. */
function groupValues(index: GroupIndex, type: ColumnType): Cell[] {
  return index.groups.map((g) => (type === 'utf8' ? String(g) : g));
}
