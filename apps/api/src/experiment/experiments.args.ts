import type { ExperimentSortKey, SortOrder } from '@kdlens/core/db';
import { ArgsType, Field, Int } from 'type-graphql';
import { ExperimentFilter } from './experiment-filter.input.ts';
import { ExperimentSortEnum, SortOrderEnum } from './experiment-sort.enum.ts';

@ArgsType()
export class ExperimentsArgs {
  @Field(() => ExperimentFilter, { nullable: true }) filter?: ExperimentFilter | null;
  @Field(() => Int, { defaultValue: 20, description: 'Page size, at most 100.' }) first!: number;
  @Field(() => String, {
    nullable: true,
    description: 'endCursor of the previous page (of the same sort and order).',
  })
  after?: string | null;
  @Field(() => ExperimentSortEnum, { defaultValue: 'createdAt' }) sort!: ExperimentSortKey;
  @Field(() => SortOrderEnum, { defaultValue: 'desc' }) order!: SortOrder;
}
