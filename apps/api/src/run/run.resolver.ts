import { armLabel } from '@kdlens/core';
import { findRunById, findRunsByIds } from '@kdlens/core/db';
import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { redactPaths, seesServerPaths } from '../auth/server-paths.ts';
import type { ApiContext } from '../context.ts';
import { badUserInput } from '../errors/api-error.ts';
import { parseId } from '../errors/parse-id.ts';
import { MAX_RUNS_BY_ID } from '../limits/api-limits.ts';
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

  @Query(() => [RunType], {
    nullable: 'items',
    description: `Several runs by id, in the order asked (null for an unknown id), for comparing them: their learning curves are \`history\`. At most ${MAX_RUNS_BY_ID} ids; more, or a malformed one, is BAD_USER_INPUT naming the argument.`,
  })
  async runs(
    @Ctx() ctx: ApiContext,
    @Arg('ids', () => [ID]) ids: string[],
  ): Promise<(RunType | null)[]> {
    if (ids.length > MAX_RUNS_BY_ID) {
      throw badUserInput(`ids: at most ${MAX_RUNS_BY_ID} runs at once, not ${ids.length}`, {
        argument: 'ids',
      });
    }
    const wanted = ids.map((id, i) => parseId(id, `ids[${i}]`));
    const byId = new Map((await findRunsByIds(ctx.db, wanted)).map((row) => [row.id, row]));
    return wanted.map((id) => {
      const row = byId.get(id);
      return row ? toRunType(row) : null;
    });
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
