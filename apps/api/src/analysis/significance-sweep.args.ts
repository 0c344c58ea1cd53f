import type { ClassCorrection, ClassStatistic } from '@kdlens/metrics';
import { ArgsType, Field, Float, ID } from 'type-graphql';
import { ClassStatisticEnum, CorrectionEnum } from './class-statistic.enum.ts';

@ArgsType()
export class SignificanceSweepArgs {
  @Field(() => ID) experimentId!: string;
  @Field(() => CorrectionEnum, {
    defaultValue: 'holm',
    description: 'Which count scCount / tcCount report.',
  })
  correction!: ClassCorrection;
  @Field(() => Float, { defaultValue: 0.05 }) alpha!: number;
  @Field(() => ClassStatisticEnum, { defaultValue: 'normalized' }) statistic!: ClassStatistic;
}
