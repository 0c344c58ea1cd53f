import { armLabel } from '@kdlens/core';
import { findRunById } from '@kdlens/core/db';
import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { redactPaths, seesServerPaths } from '../auth/server-paths.ts';
import type { ApiContext } from '../context.ts';
import { parseId } from '../errors/parse-id.ts';
import { toRunType } from './run.mapper.ts';
import { RunType } from './run.type.ts';

@Resolver(() => RunType)
export class RunResolver {
  @Query(() => RunType, {
    nullable: true,
    description:
      'One run: status, progress, live metrics, epoch history, error, backend, timings. Null for an unknown id, BAD_USER_INPUT for a malformed one.',
  })
  async run(@Ctx() ctx: ApiContext, @Arg('id', () => ID) id: string): Promise<RunType | null> {
    const row = await findRunById(ctx.db, parseId(id, 'id'));
    return row ? toRunType(row) : null;
  }

  @FieldResolver(() => String, {
    description:
      'The arm in the paper\'s words, as Arm.label: "Teacher", "NDS" or "KD T=4" (one wording, @kdlens/core armLabel, for every client).',
  })
  label(@Root() run: RunType): string {
    return armLabel(run);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Why the run failed or stopped. Server paths show as the data set name unless the caller is an operator or admin.',
  })
  async error(@Root() run: RunType, @Ctx() ctx: ApiContext): Promise<string | null> {
    if (run.error === null || seesServerPaths(ctx.auth)) return run.error;
    const dataset = await ctx.loaders.experimentDataset.load(run.experimentId);
    return redactPaths(run.error, dataset ?? 'data', ctx.serverFolders);
  }
}
