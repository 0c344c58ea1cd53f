import { examplesDigest } from '@kdlens/core/db';
import { GraphQLJSON } from 'graphql-scalars';
import { Args, Ctx, FieldResolver, Float, Int, Query, Resolver, Root } from 'type-graphql';
import { z } from 'zod';
import { ArmType } from '../analysis/arm.type.ts';
import { armFromSummary } from '../analysis/study-access.ts';
import { redactSpec, seesServerPaths } from '../auth/server-paths.ts';
import type { ApiContext } from '../context.ts';
import { MAX_PAGE_SIZE as MAX_PAGE } from '../limits/api-limits.ts';
import { toRunType } from '../run/run.mapper.ts';
import { RunType } from '../run/run.type.ts';
import { ExperimentSpecType } from '../spec/experiment-spec.type.ts';
import { typedSpec } from '../spec/typed-spec.ts';
import { ExperimentArgs } from './experiment.args.ts';
import { ExperimentType } from './experiment.type.ts';
import { ExperimentConnectionType } from './experiment-connection.type.ts';
import { ExperimentHeadlineType } from './experiment-headline.type.ts';
import { experimentPage } from './experiment-page.ts';
import { experimentRef, findExperimentByRef } from './experiment-ref.ts';
import { ExperimentsArgs } from './experiments.args.ts';

// Only the parts of a spec the API reads; an imported experiment's spec has none of them.
const specModelsSchema = z.object({
  teacher: z.object({ architecture: z.string() }).optional(),
  student: z.object({ architecture: z.string() }).optional(),
});

function specArchitecture(spec: Record<string, unknown>, role: 'teacher' | 'student') {
  const parsed = specModelsSchema.safeParse(spec);
  return parsed.success ? (parsed.data[role]?.architecture ?? null) : null;
}

@Resolver(() => ExperimentType)
export class ExperimentResolver {
  @Query(() => ExperimentConnectionType, {
    description: `Experiments, newest first unless sort and order say otherwise; first ≤ ${MAX_PAGE}.`,
  })
  experiments(
    @Ctx() ctx: ApiContext,
    @Args(() => ExperimentsArgs) { filter, first, after, sort, order }: ExperimentsArgs,
  ): Promise<ExperimentConnectionType> {
    return experimentPage(ctx.db, filter ?? undefined, first, after, { by: sort, order });
  }

  @Query(() => ExperimentType, {
    nullable: true,
    description:
      'By id or by name (exactly one; BAD_USER_INPUT naming them otherwise, or for a malformed id); null when no experiment matches.',
  })
  async experiment(
    @Ctx() ctx: ApiContext,
    @Args(() => ExperimentArgs) { id, name }: ExperimentArgs,
  ): Promise<ExperimentType | null> {
    return (await findExperimentByRef(ctx.db, experimentRef(id, name, ['id', 'name']))) ?? null;
  }

  @FieldResolver(() => ExperimentSpecType, {
    nullable: true,
    description:
      'The spec the experiment was launched from, typed, every default filled in; null for an imported experiment (its specJson records the import). Server paths as in specJson.',
  })
  spec(@Root() experiment: ExperimentType, @Ctx() ctx: ApiContext): ExperimentSpecType | null {
    return typedSpec(this.specJson(experiment, ctx));
  }

  @FieldResolver(() => GraphQLJSON, {
    description:
      'The full, defaulted experiment spec as stored, as JSON (an import records its source). Server paths (dataset.root, pretrained, imported files) show as the data set name unless the caller is an operator or admin.',
  })
  specJson(@Root() experiment: ExperimentType, @Ctx() ctx: ApiContext): Record<string, unknown> {
    return seesServerPaths(ctx.auth)
      ? experiment.spec
      : redactSpec(experiment.spec, experiment.dataset, ctx.serverFolders);
  }

  @FieldResolver(() => [RunType])
  async runs(@Root() experiment: ExperimentType, @Ctx() ctx: ApiContext): Promise<RunType[]> {
    const rows = await ctx.loaders.runsByExperiment.load(experiment.id);
    return rows.map(toRunType);
  }

  @FieldResolver(() => Float, { description: 'Mean progress over the runs, 0 to 1.' })
  async progress(@Root() experiment: ExperimentType, @Ctx() ctx: ApiContext): Promise<number> {
    const rows = await ctx.loaders.runsByExperiment.load(experiment.id);
    return rows.length === 0 ? 0 : rows.reduce((s, r) => s + r.progress, 0) / rows.length;
  }

  @FieldResolver(() => [Float], { description: 'Distilled temperatures planned, ascending.' })
  async temperatures(
    @Root() experiment: ExperimentType,
    @Ctx() ctx: ApiContext,
  ): Promise<number[]> {
    const rows = await ctx.loaders.runsByExperiment.load(experiment.id);
    const ts = rows.flatMap((r) => (r.temperature === null ? [] : [r.temperature]));
    return [...new Set(ts)].sort((a, b) => a - b);
  }

  @FieldResolver(() => [Int], { description: 'Seeds planned, ascending.' })
  async seeds(@Root() experiment: ExperimentType, @Ctx() ctx: ApiContext): Promise<number[]> {
    const rows = await ctx.loaders.runsByExperiment.load(experiment.id);
    return [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b);
  }

  @FieldResolver(() => String, { nullable: true })
  async teacherArchitecture(
    @Root() experiment: ExperimentType,
    @Ctx() ctx: ApiContext,
  ): Promise<string | null> {
    return this.architecture(experiment, ctx, 'teacher');
  }

  @FieldResolver(() => String, { nullable: true })
  async studentArchitecture(
    @Root() experiment: ExperimentType,
    @Ctx() ctx: ApiContext,
  ): Promise<string | null> {
    return this.architecture(experiment, ctx, 'student');
  }

  @FieldResolver(() => [String], { description: 'Empty until the test set is recorded.' })
  async classNames(@Root() experiment: ExperimentType, @Ctx() ctx: ApiContext): Promise<string[]> {
    return (await ctx.loaders.testSetInfo.load(experiment.id))?.classNames ?? [];
  }

  @FieldResolver(() => [String], { description: 'Sensitive attributes of the test set.' })
  async sensitiveAttributes(
    @Root() experiment: ExperimentType,
    @Ctx() ctx: ApiContext,
  ): Promise<string[]> {
    return (await ctx.loaders.testSetInfo.load(experiment.id))?.attributes ?? [];
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "The test set's digest (labels, classes, attributes; not the features attached later, such as a teacher embedding); experiments with the same digest can be compared. Null until the test set is recorded.",
  })
  async testSetDigest(
    @Root() experiment: ExperimentType,
    @Ctx() ctx: ApiContext,
  ): Promise<string | null> {
    const digest = (await ctx.loaders.testSetInfo.load(experiment.id))?.digest;
    return digest === undefined ? null : examplesDigest(digest);
  }

  @FieldResolver(() => [ArmType], {
    description:
      'Teacher, NDS, distilled by ascending T, with accuracy mean ± sd over seeds (from the stored study summary; empty until results).',
  })
  async arms(@Root() experiment: ExperimentType, @Ctx() ctx: ApiContext): Promise<ArmType[]> {
    const summary = await ctx.loaders.studySummary.load(experiment.id);
    return summary ? summary.arms.map(armFromSummary) : [];
  }

  @FieldResolver(() => ExperimentHeadlineType, {
    nullable: true,
    description:
      'Teacher, NDS and best distilled accuracy and the largest DPD, as stored with the study summary (what the experiments list sorts by); null until the summary exists.',
  })
  async headline(
    @Root() experiment: ExperimentType,
    @Ctx() ctx: ApiContext,
  ): Promise<ExperimentHeadlineType | null> {
    if (experiment.headline !== undefined) return experiment.headline;
    return ctx.loaders.studyHeadline.load(experiment.id);
  }

  /** What ran (the runs' recorded architecture) wins over what the spec planned. */
  private async architecture(
    experiment: ExperimentType,
    ctx: ApiContext,
    role: 'teacher' | 'student',
  ): Promise<string | null> {
    const rows = await ctx.loaders.runsByExperiment.load(experiment.id);
    // A distilled student is the student architecture too.
    const roles = role === 'teacher' ? ['teacher'] : ['student', 'distilled'];
    const run = rows.find((r) => roles.includes(r.role));
    return run?.architecture ?? specArchitecture(experiment.spec, role);
  }
}
