import { ArgsType, Field } from 'type-graphql';
import { ExperimentRefArgs } from '../experiment/experiment-ref.args.ts';
import { ArmInput } from './arm.input.ts';

@ArgsType()
export class ArmPairArgs extends ExperimentRefArgs {
  @Field(() => ArmInput) a!: ArmInput;
  @Field(() => ArmInput) b!: ArmInput;
}
