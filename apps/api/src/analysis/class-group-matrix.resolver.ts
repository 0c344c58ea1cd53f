import { classGroupMatrix } from '@kdlens/core/results';
import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { badArgument } from '../experiment/lookup-errors.ts';
import { parseAlpha } from './arm.input.ts';
import { ClassGroupMatrixArgs } from './class-group-matrix.args.ts';
import { ClassGroupMatrixType } from './class-group-matrix.type.ts';
import { checkAttributes, classGroupStudyOf, groupLabel } from './class-group-source.ts';
import { finiteOrNull } from './estimate.type.ts';
import { armType, studyOf } from './study-access.ts';

const MAX_WORST = 10_000;
const column = (values: Float64Array) => Array.from(values, finiteOrNull);

@Resolver(() => ClassGroupMatrixType)
export class ClassGroupMatrixResolver {
  @Query(() => ClassGroupMatrixType, {
    description:
      'Class × group: accuracy per (class, group) for every arm, and its change from the teacher and from NDS to each distilled arm with Welch intervals, the worst cells first. Computed from the stored predictions.',
  })
  async classGroupMatrix(
    @Ctx() ctx: ApiContext,
    @Args(() => ClassGroupMatrixArgs) args: ClassGroupMatrixArgs,
  ): Promise<ClassGroupMatrixType> {
    const { confidence, correction, minExamples, worstLimit } = args;
    const baseline = args.baseline ?? null;
    const temperature = args.temperature ?? null;
    const alpha = parseAlpha(args.alpha);
    if (!(confidence > 0 && confidence < 1)) {
      throw badArgument(`confidence: must be in (0, 1), got ${confidence}`, 'confidence');
    }
    if (baseline === 'distilled') {
      throw badArgument('baseline: must be teacher or student', 'baseline');
    }
    if (!(minExamples >= 0)) {
      throw badArgument(`minExamples: must be ≥ 0, got ${minExamples}`, 'minExamples');
    }
    if (!(worstLimit >= 0 && worstLimit <= MAX_WORST)) {
      throw badArgument(
        `worstLimit: must be in [0, ${MAX_WORST}], got ${worstLimit}`,
        'worstLimit',
      );
    }
    const study = await studyOf(ctx, args);
    const attributes = checkAttributes(study, args.attributes);
    const source = await classGroupStudyOf(ctx, study, attributes);
    const key = `class-group-matrix|${JSON.stringify([attributes, baseline, temperature, confidence, correction, alpha, minExamples, worstLimit])}`;
    return study.memo(key, (): ClassGroupMatrixType => {
      const m = classGroupMatrix(source, {
        confidence,
        correction,
        alpha,
        worst: { minExamples, limit: worstLimit },
      });
      const groups = m.groups.map(groupLabel);
      const numGroups = groups.length;
      const changes = m.changes.filter(
        (c) =>
          (baseline === null || c.baseline === baseline) &&
          (temperature === null || c.to.temperature === temperature),
      );
      return {
        attributes,
        groups,
        classNames: m.classNames,
        examples: Array.from(m.examples),
        confidence,
        arms: m.arms.map((arm) => ({
          arm: armType(study, arm),
          mean: column(arm.mean),
          sd: column(arm.sd),
        })),
        changes: changes.map((c) => {
          const r = c.comparison;
          return {
            baseline: c.baseline,
            from: armType(study, c.from),
            to: armType(study, c.to),
            delta: column(r.delta),
            lower: column(r.lower),
            upper: column(r.upper),
            p: column(r.pValue),
            adjustedP: column(r.pAdjusted),
            significantCount: r.significantCount,
            testedCount: r.testedCount,
            worst: Array.from(c.worst, (cell) => {
              const classIndex = Math.floor(cell / numGroups);
              const groupIndex = cell % numGroups;
              return {
                cell,
                classIndex,
                className: m.classNames[classIndex] ?? String(classIndex),
                groupIndex,
                group: groups[groupIndex] ?? String(groupIndex),
                examples: r.examples[cell] as number,
                accuracyFrom: finiteOrNull(r.meanA[cell] as number),
                accuracyTo: finiteOrNull(r.meanB[cell] as number),
                delta: finiteOrNull(r.delta[cell] as number),
                lower: finiteOrNull(r.lower[cell] as number),
                upper: finiteOrNull(r.upper[cell] as number),
                p: finiteOrNull(r.pValue[cell] as number),
                adjustedP: finiteOrNull(r.pAdjusted[cell] as number),
                significant: r.significant[cell] === 1,
              };
            }),
          };
        }),
      };
    });
  }
}
