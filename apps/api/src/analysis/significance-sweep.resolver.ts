import type { ClassCorrection, SignificanceCounts } from '@kdlens/metrics';
import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { parseAlpha } from './arm.input.ts';
import { SignificanceSweepArgs } from './significance-sweep.args.ts';
import { SignificanceSweepType } from './significance-sweep.type.ts';
import { studyOf } from './study-access.ts';

function countUnder(counts: SignificanceCounts | null, correction: ClassCorrection): number | null {
  if (!counts) return null;
  return correction === 'none' ? counts.raw : counts[correction];
}

@Resolver(() => SignificanceSweepType)
export class SignificanceSweepResolver {
  @Query(() => SignificanceSweepType, {
    description:
      "SC and TC counts per temperature (the paper's Table 1), composed as @kdlens/metrics summarizeStudy does.",
  })
  async significanceSweep(
    @Ctx() ctx: ApiContext,
    @Args(() => SignificanceSweepArgs)
    args: SignificanceSweepArgs,
  ): Promise<SignificanceSweepType> {
    const { correction, alpha, statistic } = args;
    const level = parseAlpha(alpha);
    const study = await studyOf(ctx, args);
    // Results are immutable per StudyData version, so the answer is too: memoised with it.
    return study.memo(`sweep-answer|${statistic}|${level}|${correction}`, () => ({
      correction,
      statistic,
      alpha: level,
      rows: study.sweep(statistic, level).map((row) => ({
        ...row,
        scCount: countUnder(row.sc, correction),
        tcCount: countUnder(row.tc, correction),
      })),
    }));
  }
}
