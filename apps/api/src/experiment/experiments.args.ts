import { ArgsType, Field, Int } from 'type-graphql';
import { ExperimentFilter } from './experiment-filter.input.ts';

@ArgsType()
export class ExperimentsArgs {
  @Field(() => ExperimentFilter, { nullable: true }) filter?: ExperimentFilter | null;
  @Field(() => Int, { defaultValue: 20, description: 'Page size, at most 100.' }) first!: number;
  @Field(() => String, { nullable: true, description: 'endCursor of the previous page.' })
  after?: string | null;
}
