import { z } from 'zod';
import { listRunsWithResults } from '../../db/queries/result-tables.ts';
import { redactServerPaths } from '../../domain/run-error-text.ts';
import { batchesOf } from '../batch-builder.ts';
import { type Cell, column } from '../export-table.ts';
import { runCells, runColumns, type TableSource } from '../table-context.ts';

// Read leniently: an imported experiment's spec has no models, and an older spec may lack a field;
// a setting that is not there is null, never an error.
const modelSettingsSchema = z
  .object({
    epochs: z.number().optional().catch(undefined),
    batchSize: z.number().optional().catch(undefined),
    learningRate: z.number().optional().catch(undefined),
    optimizer: z.object({ name: z.string() }).optional().catch(undefined),
    schedule: z.object({ name: z.string() }).optional().catch(undefined),
    pretrained: z.string().optional().catch(undefined),
  })
  .optional()
  .catch(undefined);
const specSettingsSchema = z.object({
  teacher: modelSettingsSchema,
  student: modelSettingsSchema,
  kd: z
    .object({ alpha: z.number().optional().catch(undefined) })
    .optional()
    .catch(undefined),
});

const finite = (v: number | null | undefined) =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;

/**
 * One row per run, results or not: its arm and seed, the training settings its spec gave it
 * (epochs, batch size, learning rate, optimizer, schedule, whether it started from pretrained
 * weights, and for distilled runs the KD α), status and attempts, the backend it trained on
 * (and for distilled runs whether the teacher's logits were cached or run live),
 * test accuracy, timings, and its error. The error's server paths show as the data set's name
 * unless the reader may see them, as the API's `Run.error`; the pretrained folder shows as a
 * flag only.
 */
export const runsTable: TableSource = async (ctx) => {
  const { db, experiment, access } = ctx;
  const columns = [
    ...runColumns,
    column('dataset', 'utf8'),
    column('status', 'utf8'),
    column('backend', 'utf8', true),
    column('teacher_outputs', 'utf8', true),
    column('epochs', 'int32', true),
    column('batch_size', 'int32', true),
    column('learning_rate', 'double', true),
    column('optimizer', 'utf8', true),
    column('schedule', 'utf8', true),
    column('pretrained', 'boolean', true),
    column('kd_alpha', 'double', true),
    column('accuracy', 'double', true),
    column('test_examples', 'int32', true),
    column('epochs_done', 'int32'),
    column('attempt', 'int32'),
    column('train_seconds', 'double', true),
    column('images_per_sec', 'double', true),
    column('worker', 'utf8', true),
    column('error', 'utf8', true),
    column('created_at', 'timestamp'),
    column('started_at', 'timestamp', true),
    column('finished_at', 'timestamp', true),
    column('wall_seconds', 'double', true),
  ];
  const parsedSpec = specSettingsSchema.safeParse(experiment.spec);
  const spec = parsedSpec.success
    ? parsedSpec.data
    : { teacher: undefined, student: undefined, kd: undefined };
  const runs = await listRunsWithResults(db, experiment.id);
  function* rows(): Generator<Cell[]> {
    for (const { run } of runs) {
      const model = run.role === 'teacher' ? spec.teacher : spec.student;
      const error =
        run.error === null || access.seesServerPaths
          ? run.error
          : redactServerPaths(run.error, experiment.dataset, access.serverFolders);
      const wall =
        run.startedAt && run.finishedAt
          ? (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000
          : null;
      yield [
        ...runCells(experiment.name, { ...run, runId: run.id }),
        experiment.dataset,
        run.status,
        run.backend,
        run.teacherOutputs,
        finite(model?.epochs),
        finite(model?.batchSize),
        finite(model?.learningRate),
        model?.optimizer?.name ?? null,
        model?.schedule?.name ?? null,
        model ? model.pretrained !== undefined : null,
        run.role === 'distilled' ? finite(spec.kd?.alpha) : null,
        // As the API's Run.accuracy: the finished run's test accuracy over the live column.
        run.summary?.accuracy ?? finite(run.accuracy),
        run.summary?.testExamples ?? null,
        run.epoch,
        run.attempt,
        finite(run.summary?.trainSeconds),
        finite(run.imagesPerSec),
        run.worker,
        error,
        run.createdAt,
        run.startedAt,
        run.finishedAt,
        wall,
      ];
    }
  }
  return { columns, batches: batchesOf(columns.length, ctx.batchRows, rows()) };
};
