import { type ExperimentStatus, experimentStatuses } from '@kdlens/core';
import { Field, GraphQLISODateTime, ID, ObjectType, registerEnumType } from 'type-graphql';
import { NodeInterface } from '../node/node.interface.ts';

export const ExperimentStatusEnum = Object.fromEntries(experimentStatuses.map((s) => [s, s])) as {
  [K in ExperimentStatus]: K;
};
registerEnumType(ExperimentStatusEnum, { name: 'ExperimentStatus' });

/**
 * The stored row; the other Experiment fields (runs, arms, classNames, …) are field resolvers
 * batched through the request's DataLoaders.
 */
@ObjectType('Experiment', {
  description: 'A distillation study: a teacher, a non-distilled student and distilled students.',
  implements: NodeInterface,
})
export class ExperimentType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) dataset!: string;
  @Field(() => ExperimentStatusEnum) status!: ExperimentStatus;
  /** As stored; the `spec` and `specJson` fields (ExperimentResolver) show viewers a copy without server paths. */
  spec!: Record<string, unknown>;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}
