import { GroupAttributesError, intersectionalGroups } from '@kdlens/core/results';
import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { badArgument } from '../experiment/lookup-errors.ts';
import { checkAttributes, classGroupStudyOf, groupLabel } from './class-group-source.ts';
import { finiteOrNull, toEstimateType } from './estimate.type.ts';
import { IntersectionalFairnessArgs } from './intersectional-fairness.args.ts';
import { IntersectionalFairnessType } from './intersectional-fairness.type.ts';
import { armType, studyOf } from './study-access.ts';

@Resolver(() => IntersectionalFairnessType)
export class IntersectionalFairnessResolver {
  @Query(() => IntersectionalFairnessType, {
    description:
      'Per arm DPD, DPR, EOD and EOR with bootstrap CIs over seeds, and per group (one attribute, or several taken jointly) count, accuracy, selection rate, TPR and FPR for any positive class; small groups flagged. Computed from the stored predictions.',
  })
  async intersectionalFairness(
    @Ctx() ctx: ApiContext,
    @Args(() => IntersectionalFairnessArgs) args: IntersectionalFairnessArgs,
  ): Promise<IntersectionalFairnessType> {
    const { positiveClass = null, minGroupSize, method } = args;
    const study = await studyOf(ctx, args);
    const attributes = checkAttributes(study, args.attributes);
    if (positiveClass !== null && !(positiveClass >= 0 && positiveClass < study.numClasses)) {
      throw badArgument(
        `positiveClass: must be a class index in [0, ${study.numClasses}), or null for the mean over classes`,
        'positiveClass',
      );
    }
    if (!(minGroupSize >= 1)) {
      throw badArgument(
        `minGroupSize: must be ≥ 1 (1 keeps every non-empty group), got ${minGroupSize}`,
        'minGroupSize',
      );
    }
    const source = await classGroupStudyOf(ctx, study, attributes);
    const key = `intersectional|${JSON.stringify([attributes, positiveClass, minGroupSize, method])}`;
    return study.memo(key, (): IntersectionalFairnessType => {
      let result: ReturnType<typeof intersectionalGroups>;
      try {
        result = intersectionalGroups(source, {
          positiveClass,
          minGroupSize,
          method,
          // The summary's bootstrap, so a single attribute's intervals match the stored ones.
          ...(study.summary?.options.bootstrap
            ? { bootstrap: study.summary.options.bootstrap }
            : {}),
        });
      } catch (error) {
        if (error instanceof GroupAttributesError) {
          const argument = error.message.split(':')[0] ?? 'attributes';
          throw badArgument(error.message, argument);
        }
        throw error;
      }
      return {
        attributes,
        groups: result.groups.map(groupLabel),
        positiveClass,
        positiveClassName:
          positiveClass === null
            ? null
            : (study.classNames[positiveClass] ?? String(positiveClass)),
        method,
        minGroupSize,
        comparedGroups: result.comparedGroups,
        smallGroups: result.smallGroups.map((s) => ({
          group: groupLabel(s.group),
          values: s.group.map(String),
          count: s.count,
        })),
        arms: result.arms.map((arm) => ({
          arm: armType(study, arm),
          dpd: toEstimateType(arm.dpd),
          dpr: toEstimateType(arm.dpr),
          eod: toEstimateType(arm.eod),
          eor: toEstimateType(arm.eor),
          groups: arm.groups.map((g) => ({
            group: groupLabel(g.group),
            values: g.group.map(String),
            count: g.count,
            small: g.small,
            accuracy: finiteOrNull(g.accuracy),
            selectionRate: finiteOrNull(g.selectionRate),
            truePositiveRate: finiteOrNull(g.tpr),
            falsePositiveRate: finiteOrNull(g.fpr),
          })),
        })),
      };
    });
  }
}
