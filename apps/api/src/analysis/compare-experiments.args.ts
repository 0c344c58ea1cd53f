import type { ClassCorrection } from '@kdlens/metrics';
import { ArgsType, Field, Float, ID, InputType, Int } from 'type-graphql';
import { CorrectionEnum } from './class-statistic.enum.ts';

@InputType('ExperimentRefInput', {
  description: 'An experiment by id or by its (unique) name: exactly one of the two.',
})
export class ExperimentRefInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
}

@ArgsType()
export class CompareExperimentsArgs {
  @Field(() => [ExperimentRefInput], {
    description:
      'Two to eight experiments on the same test set; the first is the reference every per-class delta is taken against.',
  })
  experiments!: ExperimentRefInput[];
  @Field(() => CorrectionEnum, {
    defaultValue: 'holm',
    description: 'Correction across the classes of one per-class delta.',
  })
  correction!: ClassCorrection;
  @Field(() => Float, {
    defaultValue: 0.05,
    description: 'Significance level of the per-class tests, in [0, 1].',
  })
  alpha!: number;
  @Field(() => Int, {
    defaultValue: 20,
    description: "At most this many classes in each delta's worst list (≤ 1000).",
  })
  worstLimit!: number;
}
