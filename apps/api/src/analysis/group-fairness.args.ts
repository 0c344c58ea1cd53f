import { ArgsType, Field, ID } from 'type-graphql';

@ArgsType()
export class GroupFairnessArgs {
  @Field(() => ID) experimentId!: string;
  @Field(() => String, { description: 'A sensitive attribute of the test set.' })
  attribute!: string;
}
