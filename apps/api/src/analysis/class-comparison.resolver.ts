import { type ClassStatistic, compareClassMatrices } from '@kdlens/metrics';
import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { parseAlpha, parseArm } from './arm.input.ts';
import { ClassComparisonArgs } from './class-comparison.args.ts';
import { ClassComparisonType } from './class-comparison.type.ts';
import { finiteOrNull } from './estimate.type.ts';
import { armOf, armType, studyOf } from './study-access.ts';
import { armKeyOf } from './study-cache.ts';

@Resolver(() => ClassComparisonType)
export class ClassComparisonResolver {
  @Query(() => ClassComparisonType, {
    description:
      'Per class: did arm b get it right differently from arm a? Welch test over seeds on the stored per-class accuracies (@kdlens/metrics compareClasses).',
  })
  async classComparison(
    @Ctx() ctx: ApiContext,
    @Args(() => ClassComparisonArgs)
    args: ClassComparisonArgs,
  ): Promise<ClassComparisonType> {
    const { a, b, statistic, correction, alpha } = args;
    const keyA = parseArm(a, 'a');
    const keyB = parseArm(b, 'b');
    const level = parseAlpha(alpha);
    const study = await studyOf(ctx, args);
    // Welch needs a variance per arm: two seeds at least, as compareClasses demands.
    const armA = armOf(study, keyA, 'a', 2);
    const armB = armOf(study, keyB, 'b', 2);
    // Results are immutable per StudyData version, so the answer is too: memoised with it.
    const memoKey = `comparison|${armKeyOf(armA)}|${armKeyOf(armB)}|${statistic}|${correction}|${level}`;
    return study.memo(memoKey, (): ClassComparisonType => {
      const compare = (s: ClassStatistic) =>
        compareClassMatrices(
          study.matrix(armA, s),
          armA.runs.length,
          study.matrix(armB, s),
          armB.runs.length,
          study.numClasses,
          { alpha: level, correction },
        );
      const result = compare(statistic);
      // The per-class accuracy itself is the raw statistic's mean, whatever statistic is tested.
      const raw = statistic === 'raw' ? result : compare('raw');
      const rows = result.perClass.map((row) => {
        const accuracyA = raw.perClass[row.classIndex]?.meanA ?? Number.NaN;
        const accuracyB = raw.perClass[row.classIndex]?.meanB ?? Number.NaN;
        return {
          classIndex: row.classIndex,
          className: study.classNames[row.classIndex] ?? String(row.classIndex),
          accuracyA: finiteOrNull(accuracyA),
          accuracyB: finiteOrNull(accuracyB),
          statisticA: finiteOrNull(row.meanA),
          statisticB: finiteOrNull(row.meanB),
          sdA: finiteOrNull(row.sdA),
          sdB: finiteOrNull(row.sdB),
          delta: finiteOrNull(row.delta),
          // Readers compare accuracies: the tested statistic's delta (normalized by default) is
          // not the change they read off the two accuracy columns.
          accuracyDelta: finiteOrNull(accuracyB - accuracyA),
          t: finiteOrNull(row.t),
          df: finiteOrNull(row.df),
          p: finiteOrNull(row.pValue),
          adjustedP: finiteOrNull(row.pAdjusted),
          significant: row.significant,
        };
      });
      return {
        a: armType(study, keyA),
        b: armType(study, keyB),
        statistic,
        correction,
        alpha: level,
        rows,
        columns: {
          className: rows.map((r) => r.className),
          accuracyA: rows.map((r) => r.accuracyA),
          accuracyB: rows.map((r) => r.accuracyB),
          statisticA: rows.map((r) => r.statisticA),
          statisticB: rows.map((r) => r.statisticB),
          sdA: rows.map((r) => r.sdA),
          sdB: rows.map((r) => r.sdB),
          delta: rows.map((r) => r.delta),
          accuracyDelta: rows.map((r) => r.accuracyDelta),
          t: rows.map((r) => r.t),
          df: rows.map((r) => r.df),
          p: rows.map((r) => r.p),
          adjustedP: rows.map((r) => r.adjustedP),
          significant: rows.map((r) => r.significant),
        },
        significantCount: result.significantCount,
        testedCount: result.testedCount,
        significantFraction: finiteOrNull(result.significantFraction),
      };
    });
  }
}
