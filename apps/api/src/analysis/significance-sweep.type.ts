import type { ClassCorrection, ClassStatistic } from '@kdlens/metrics';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ClassStatisticEnum, CorrectionEnum } from './class-statistic.enum.ts';

@ObjectType('SignificanceCounts', {
  simpleResolvers: true,
  description: 'Classes with a significant change, raw and after Holm and BH.',
})
export class SignificanceCountsType {
  @Field(() => Int) raw!: number;
  @Field(() => Int) holm!: number;
  @Field(() => Int) bh!: number;
  @Field(() => Int, { description: 'Classes that could be tested.' }) tested!: number;
}

@ObjectType('TemperatureSignificance', {
  simpleResolvers: true,
  description:
    "The paper's Table 1 row: SC = NDS vs distilled at T, TC = teacher vs distilled at T. Null when an arm has fewer than 2 seeds.",
})
export class TemperatureSignificanceType {
  @Field(() => Float) temperature!: number;
  @Field(() => SignificanceCountsType, { nullable: true }) sc!: SignificanceCountsType | null;
  @Field(() => SignificanceCountsType, { nullable: true }) tc!: SignificanceCountsType | null;
  @Field(() => Int, { nullable: true, description: 'SC under the requested correction.' })
  scCount!: number | null;
  @Field(() => Int, { nullable: true, description: 'TC under the requested correction.' })
  tcCount!: number | null;
}

@ObjectType('SignificanceSweep')
export class SignificanceSweepType {
  @Field(() => CorrectionEnum) correction!: ClassCorrection;
  @Field(() => ClassStatisticEnum) statistic!: ClassStatistic;
  @Field(() => Float) alpha!: number;
  @Field(() => [TemperatureSignificanceType], { description: 'By ascending temperature.' })
  rows!: TemperatureSignificanceType[];
}
