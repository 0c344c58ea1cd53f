import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { ExperimentRefArgs } from '../experiment/experiment-ref.args.ts';
import { toEstimateType } from './estimate.type.ts';
import { IndividualFairnessType } from './individual-fairness.type.ts';
import { armType, studyOf } from './study-access.ts';

@Resolver(() => IndividualFairnessType)
export class IndividualFairnessResolver {
  @Query(() => IndividualFairnessType, {
    description:
      'Lipschitz and kNN consistency per arm, from the stored study summary (@kdlens/metrics summarizeStudy).',
  })
  async individualFairness(
    @Ctx() ctx: ApiContext,
    @Args(() => ExperimentRefArgs) args: ExperimentRefArgs,
  ): Promise<IndividualFairnessType> {
    const study = await studyOf(ctx, args);
    const stored = study.summary;
    if (!stored) {
      return {
        available: false,
        reason: 'no study summary yet: no run has stored results',
        stale: true,
        arms: [],
      };
    }
    const rows = stored.summary.individualFairness;
    if (!rows) {
      return {
        available: false,
        reason:
          'the test set has no features: individual fairness measures distances between test examples',
        stale: stored.stale,
        arms: [],
      };
    }
    return {
      available: true,
      reason: null,
      stale: stored.stale,
      arms: rows.map((row) => ({
        arm: armType(study, row),
        lipschitz: row.lipschitz ? toEstimateType(row.lipschitz) : null,
        consistency: toEstimateType(row.consistency),
      })),
    };
  }
}
