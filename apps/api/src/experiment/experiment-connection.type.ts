import { Field, Int, ObjectType } from 'type-graphql';
import { ExperimentType } from './experiment.type.ts';

@ObjectType('PageInfo', { description: 'Relay page info (forward pagination: first / after).' })
export class PageInfoType {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean, {
    description:
      'Whether the page follows others: true exactly when `after` was given (it names a row handed out before).',
  })
  hasPreviousPage!: boolean;
  @Field(() => String, {
    nullable: true,
    description: "The first edge's cursor; null on an empty page.",
  })
  startCursor!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Pass as `after` for the next page; null on an empty page.',
  })
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
