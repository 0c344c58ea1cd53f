import { ArgsType, Field, ID } from 'type-graphql';

/** How an analysis names its experiment: exactly one of the two (experiment-ref.ts). */
@ArgsType()
export class ExperimentRefArgs {
  @Field(() => ID, { nullable: true, description: 'The experiment by id; or give experimentName.' })
  experimentId?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'The experiment by its name (names are unique); or give experimentId.',
  })
  experimentName?: string | null;
}

export const experimentRefArguments = ['experimentId', 'experimentName'] as const;
