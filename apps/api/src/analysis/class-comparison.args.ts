import type { ClassCorrection, ClassStatistic } from '@kdlens/metrics';
import { ArgsType, Field, Float } from 'type-graphql';
import { ExperimentRefArgs } from '../experiment/experiment-ref.args.ts';
import { ArmInput } from './arm.input.ts';
import { ClassStatisticEnum, CorrectionEnum } from './class-statistic.enum.ts';

// An ArgsType keeps the arguments in the contract's order in schema.graphql (parameter
// decorators would list them backwards).
@ArgsType()
export class ClassComparisonArgs extends ExperimentRefArgs {
  @Field(() => ArmInput) a!: ArmInput;
  @Field(() => ArmInput) b!: ArmInput;
  @Field(() => ClassStatisticEnum, { defaultValue: 'normalized' }) statistic!: ClassStatistic;
  @Field(() => CorrectionEnum, { defaultValue: 'holm' }) correction!: ClassCorrection;
  @Field(() => Float, { defaultValue: 0.05, description: 'Significance level, in [0, 1].' })
  alpha!: number;
}
