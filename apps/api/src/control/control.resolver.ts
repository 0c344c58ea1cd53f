import {
  type ApiTokenRole,
  type ExperimentSpec,
  ImportError,
  KdlensError,
  parseSpecText,
  SpecError,
  WarehouseError,
} from '@kdlens/core';
import { findExperimentById, findRunById } from '@kdlens/core/db';
import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { ApiError, badUserInput, notFound } from '../errors/api-error.ts';
import { parseId } from '../errors/parse-id.ts';
import type { ExperimentType } from '../experiment/experiment.type.ts';
import { describeRef, experimentRef, findExperimentByRef } from '../experiment/experiment-ref.ts';
import { toRunType } from '../run/run.mapper.ts';
import type { ApiControl } from './api-control.ts';
import {
  CancelExperimentInput,
  CancelRunInput,
  ImportPredictionsInput,
  LaunchExperimentInput,
} from './control.input.ts';
import {
  CancelExperimentPayload,
  CancelRunPayload,
  ImportPredictionsPayload,
  LaunchExperimentPayload,
} from './control-payload.type.ts';

const importFilesSchema = z
  .array(
    z.object({
      name: z
        .string()
        .trim()
        .min(1, 'a file needs a name')
        .max(255, 'at most 255 characters')
        .regex(/\.(csv|jsonl|ndjson)$/i, 'the name must end in .csv, .jsonl or .ndjson'),
      content: z.string(),
    }),
  )
  .min(1, 'send at least one file')
  .max(200, 'at most 200 files per import');

/** Problems an import error lists in extensions.problems; the rest are counted. */
const MAX_LISTED_PROBLEMS = 100;

const experimentNameSchema = z.string().trim().min(1, 'name the experiment').max(200);

/** Launch, cancel and import: operator and admin tokens only. */
@Resolver()
export class ControlResolver {
  @Authorized<ApiTokenRole>('operator')
  @Mutation(() => LaunchExperimentPayload, {
    description:
      'Validates a spec (an object, or YAML/JSON text), records its experiment and queues the runs it lacks, like `kdlens run`. Idempotent per spec; errors list every spec problem in extensions.problems.',
  })
  async launchExperiment(
    @Ctx() ctx: ApiContext,
    @Arg('input', () => LaunchExperimentInput) { spec }: LaunchExperimentInput,
  ): Promise<LaunchExperimentPayload> {
    const parsed = parseSpec(spec);
    const control = requireControl(ctx.control);
    let experimentId: string;
    try {
      ({ experimentId } = await control.launch(parsed, { signal: ctx.signal }));
    } catch (error) {
      throw userErrorOr(error);
    }
    return { experiment: await experimentOrNotFound(ctx, experimentId) };
  }

  @Authorized<ApiTokenRole>('operator')
  @Mutation(() => CancelExperimentPayload, {
    description:
      'Cancels the unfinished runs of an experiment: queued ones at once, running ones within a heartbeat. Launching the spec again resumes them.',
  })
  async cancelExperiment(
    @Ctx() ctx: ApiContext,
    @Arg('input', () => CancelExperimentInput) { id, name }: CancelExperimentInput,
  ): Promise<CancelExperimentPayload> {
    const ref = experimentRef(id, name, ['input.id', 'input.name']);
    const found = await findExperimentByRef(ctx.db, ref);
    if (!found) throw notFound(`no experiment has ${describeRef(ref)}`);
    await requireControl(ctx.control).cancel({ experimentId: found.id });
    return { experiment: await experimentOrNotFound(ctx, found.id) };
  }

  @Authorized<ApiTokenRole>('operator')
  @Mutation(() => CancelRunPayload, {
    description: 'Cancels one run (and distilled runs waiting on it, if it is a teacher).',
  })
  async cancelRun(
    @Ctx() ctx: ApiContext,
    @Arg('input', () => CancelRunInput) { id }: CancelRunInput,
  ): Promise<CancelRunPayload> {
    const runId = parseId(id, 'input.id');
    await runOrNotFound(ctx, runId);
    await requireControl(ctx.control).cancel({ runId });
    return { run: toRunType(await runOrNotFound(ctx, runId)) };
  }

  @Authorized<ApiTokenRole>('operator')
  @Mutation(() => ImportPredictionsPayload, {
    description:
      'Imports prediction files into an experiment (created if missing), like `kdlens import`: every file is checked first and nothing is written unless all are valid (problems in extensions.problems). The request body limit applies; import large studies with the CLI.',
  })
  async importPredictions(
    @Ctx() ctx: ApiContext,
    @Arg('input', () => ImportPredictionsInput) { experimentName, files }: ImportPredictionsInput,
  ): Promise<ImportPredictionsPayload> {
    const name = experimentNameSchema.safeParse(experimentName);
    if (!name.success) {
      throw badUserInput(`input.experimentName: ${name.error.issues[0]?.message ?? 'invalid'}`, {
        argument: 'input.experimentName',
      });
    }
    const checked = importFilesSchema.safeParse(files);
    if (!checked.success) {
      throw badUserInput('files are not importable', {
        problems: checked.error.issues.map((i) => ({
          path: ['input', 'files', ...i.path].join('.'),
          message: i.message,
        })),
      });
    }
    const control = requireControl(ctx.control);
    let result: { experimentId: string; runsImported: number };
    try {
      result = await control.importPredictions(name.data, checked.data, { signal: ctx.signal });
    } catch (error) {
      throw userErrorOr(error);
    }
    return {
      experiment: await experimentOrNotFound(ctx, result.experimentId),
      runsImported: result.runsImported,
    };
  }
}

/** A spec object, or YAML/JSON text (what a spec editor holds); SpecError → BAD_USER_INPUT. */
function parseSpec(spec: unknown): ExperimentSpec {
  const isText = typeof spec === 'string';
  try {
    // parseSpecText is the CLI's parser, so both report the same problems for the same spec.
    return parseSpecText(isText ? spec : JSON.stringify(spec ?? null), 'spec');
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    throw specProblems(error, isText);
  }
}

/** A SpecError as BAD_USER_INPUT with one `problems` entry (path, message) per issue. */
function specProblems(error: SpecError, withPositions: boolean) {
  return badUserInput(`the experiment spec has ${error.issues.length} problem(s)`, {
    problems: error.issues.map((i) => ({
      path: i.path,
      message: i.message,
      // Positions only mean something in text the client wrote.
      ...(withPositions && i.line !== undefined ? { line: i.line, column: i.col ?? 1 } : {}),
    })),
  });
}

function requireControl(control: ApiControl | undefined): ApiControl {
  if (!control) {
    throw new ApiError(
      'INTERNAL_SERVER_ERROR',
      'this API server was started read-only (without control); mutations are unavailable',
    );
  }
  return control;
}

/** Errors the CLI prints as one actionable line are the client's to fix, bar an unreachable warehouse. */
function userErrorOr(error: unknown): unknown {
  if (error instanceof ImportError) {
    const shown = error.problems.slice(0, MAX_LISTED_PROBLEMS);
    const more = error.problems.length - shown.length;
    return badUserInput(`import failed: ${error.problems.length} problem(s), nothing was written`, {
      problems: [
        ...shown.map((p) => ({
          file: p.file,
          ...(p.line === undefined ? {} : { line: p.line }),
          ...(p.column === undefined ? {} : { column: p.column }),
          message: p.message,
        })),
        // One systematic mistake in 50,000 rows must not make a 50,000-entry answer.
        ...(more > 0 ? [{ file: '(import)', message: `and ${more} more problems` }] : []),
      ],
    });
  }
  // Launch-time spec problems (a data path outside KDLENS_DATA_ROOTS) read like parse-time ones.
  if (error instanceof SpecError) return specProblems(error, false);
  if (error instanceof KdlensError && !(error instanceof WarehouseError)) {
    return badUserInput(error.message);
  }
  return error;
}

async function experimentOrNotFound(ctx: ApiContext, id: string): Promise<ExperimentType> {
  const row = await findExperimentById(ctx.db, id);
  if (!row) throw notFound(`no experiment with id ${id}`);
  return row;
}

async function runOrNotFound(ctx: ApiContext, id: string) {
  const row = await findRunById(ctx.db, id);
  if (!row) throw notFound(`no run with id ${id}`);
  return row;
}
