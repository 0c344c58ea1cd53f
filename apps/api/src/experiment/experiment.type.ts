import { type ExperimentStatus, experimentStatuses } from '@kdlens/core';
import { Field, GraphQLISODateTime, ID, ObjectType, registerEnumType } from 'type-graphql';

export const ExperimentStatusEnum = Object.fromEntries(experimentStatuses.map((s) => [s, s])) as {
  [K in ExperimentStatus]: K;
};
registerEnumType(ExperimentStatusEnum, { name: 'ExperimentStatus' });

@ObjectType('Experiment', {
  description: 'A distillation study: a teacher, a non-distilled student and distilled students.',
})
export class ExperimentType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) dataset!: string;
  @Field(() => ExperimentStatusEnum) status!: ExperimentStatus;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}
