import { Field, Int, ObjectType } from 'type-graphql';
import { ExperimentType } from './experiment.type.ts';

@ObjectType('PageInfo')
export class PageInfoType {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;
}

@ObjectType('ExperimentEdge')
export class ExperimentEdgeType {
  @Field(() => String) cursor!: string;
  @Field(() => ExperimentType) node!: ExperimentType;
}

@ObjectType('ExperimentConnection', {
  description: 'Experiments, newest first (Relay connection).',
})
export class ExperimentConnectionType {
  @Field(() => [ExperimentEdgeType]) edges!: ExperimentEdgeType[];
  @Field(() => PageInfoType) pageInfo!: PageInfoType;
  @Field(() => Int, { description: 'Experiments matching the filter, on all pages.' })
  totalCount!: number;
}
