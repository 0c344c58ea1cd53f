import { findExperimentById, findRunById } from '@kdlens/core/db';
import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { parseId } from '../errors/parse-id.ts';
import type { ExperimentType } from '../experiment/experiment.type.ts';
import { toRunType } from '../run/run.mapper.ts';
import type { RunType } from '../run/run.type.ts';
import { NodeInterface } from './node.interface.ts';

@Resolver()
export class NodeResolver {
  @Query(() => NodeInterface, {
    nullable: true,
    description:
      'The experiment or run with this id (Relay); null when none has it, BAD_USER_INPUT for an id that is not a UUID.',
  })
  async node(
    @Ctx() ctx: ApiContext,
    @Arg('id', () => ID) id: string,
  ): Promise<ExperimentType | RunType | null> {
    const nodeId = parseId(id, 'id');
    // Experiments first: there are far fewer of them, and a study page asks for its experiment.
    const experiment = await findExperimentById(ctx.db, nodeId);
    if (experiment) return experiment;
    const run = await findRunById(ctx.db, nodeId);
    return run ? toRunType(run) : null;
  }
}
