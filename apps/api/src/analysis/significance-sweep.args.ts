import type { ClassCorrection, ClassStatistic } from '@kdlens/metrics';
import { ArgsType, Field, Float } from 'type-graphql';
import { ExperimentRefArgs } from '../experiment/experiment-ref.args.ts';
import { ClassStatisticEnum, CorrectionEnum } from './class-statistic.enum.ts';

@ArgsType()
export class SignificanceSweepArgs extends ExperimentRefArgs {
  @Field(() => CorrectionEnum, {
    defaultValue: 'holm',
    description: 'Which count scCount / tcCount report.',
  })
  correction!: ClassCorrection;
  @Field(() => Float, { defaultValue: 0.05 }) alpha!: number;
  @Field(() => ClassStatisticEnum, { defaultValue: 'normalized' }) statistic!: ClassStatistic;
}
