import { type ExperimentStatus, experimentStatuses } from '@kdlens/core';
import type { StudyHeadline } from '@kdlens/core/db';
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
  @Field(() => [String], {
    description:
      "Operators' labels: lowercase letters, digits, '-', '_' and '.', at most 32 characters, at most 16 (updateExperimentAnnotations).",
  })
  tags!: string[];
  @Field(() => String, {
    nullable: true,
    description: "An operator's free-text note, at most 4000 characters; null when none.",
  })
  note!: string | null;
  /** As stored; the `spec` and `specJson` fields (ExperimentResolver) show viewers a copy without server paths. */
  spec!: Record<string, unknown>;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
  /**
   * The summary's headline numbers when the experiments page read them with the rows (null: no
   * summary); absent elsewhere, where the Experiment.headline resolver loads them.
   */
  headline?: StudyHeadline | null;
}
