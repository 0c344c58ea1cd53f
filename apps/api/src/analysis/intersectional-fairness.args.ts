import type { DisparityMethod } from '@kdlens/metrics';
import { ArgsType, Field, Int } from 'type-graphql';
import { ExperimentRefArgs } from '../experiment/experiment-ref.args.ts';
import { DisparityMethodEnum } from './disparity-method.enum.ts';

@ArgsType()
export class IntersectionalFairnessArgs extends ExperimentRefArgs {
  @Field(() => [String], {
    description:
      'Sensitive attributes taken jointly (e.g. ["sex", "age"]): one group per combination of their values. One attribute gives its groups.',
  })
  attributes!: string[];
  @Field(() => Int, {
    nullable: true,
    description:
      'The class taken as positive (one-vs-rest) for the rates and DPD/EOD; null: the mean over classes, as the study summary.',
  })
  positiveClass?: number | null;
  @Field(() => Int, {
    defaultValue: 30,
    description:
      'Groups with fewer test examples are flagged small and left out of DPD/EOD (default 30).',
  })
  minGroupSize!: number;
  @Field(() => DisparityMethodEnum, { defaultValue: 'between_groups' })
  method!: DisparityMethod;
}
