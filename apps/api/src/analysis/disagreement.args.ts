import { ArgsType, Field, ID } from 'type-graphql';
import { ArmInput } from './arm.input.ts';

@ArgsType()
export class ArmPairArgs {
  @Field(() => ID) experimentId!: string;
  @Field(() => ArmInput) a!: ArmInput;
  @Field(() => ArmInput) b!: ArmInput;
}
