import { ArgsType, Field, ID } from 'type-graphql';

/** experiment(id:, name:): exactly one (experiment-ref.ts). */
@ArgsType()
export class ExperimentArgs {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true, description: 'The exact name (names are unique).' })
  name?: string | null;
}
