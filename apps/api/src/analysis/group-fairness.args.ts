import { ArgsType, Field } from 'type-graphql';
import { ExperimentRefArgs } from '../experiment/experiment-ref.args.ts';

@ArgsType()
export class GroupFairnessArgs extends ExperimentRefArgs {
  @Field(() => String, { description: 'A sensitive attribute of the test set.' })
  attribute!: string;
}
