import { findExperimentById, listExperiments } from '@kdlens/core/db';
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { toRunType } from '../run/run.mapper.ts';
import { RunType } from '../run/run.type.ts';
import { ExperimentType } from './experiment.type.ts';

const MAX_PAGE = 500;

@Resolver(() => ExperimentType)
export class ExperimentResolver {
  @Query(() => [ExperimentType], { description: 'Experiments, newest first.' })
  async experiments(
    @Ctx() ctx: ApiContext,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
  ): Promise<ExperimentType[]> {
    return listExperiments(ctx.db, Math.max(0, Math.min(first, MAX_PAGE)));
  }

  @Query(() => ExperimentType, { nullable: true })
  async experiment(
    @Ctx() ctx: ApiContext,
    @Arg('id', () => ID) id: string,
  ): Promise<ExperimentType | null> {
    // A malformed id cannot name a row; answering null beats a database error.
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return (await findExperimentById(ctx.db, id)) ?? null;
  }

  @FieldResolver(() => [RunType])
  async runs(@Root() experiment: ExperimentType, @Ctx() ctx: ApiContext): Promise<RunType[]> {
    const rows = await ctx.loaders.runsByExperiment.load(experiment.id);
    return rows.map(toRunType);
  }
}
