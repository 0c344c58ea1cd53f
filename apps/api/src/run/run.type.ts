import { type RunRole, type RunStatus, runRoles, runStatuses } from '@kdlens/core';
import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  Int,
  ObjectType,
  registerEnumType,
} from 'type-graphql';
import { NodeInterface } from '../node/node.interface.ts';
import { EpochMetricsType } from './epoch-metrics.type.ts';

const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const RunRoleEnum = enumOf(runRoles);
registerEnumType(RunRoleEnum, {
  name: 'RunRole',
  description: 'teacher, student (non-distilled baseline, NDS) or distilled student',
});
export const RunStatusEnum = enumOf(runStatuses);
registerEnumType(RunStatusEnum, { name: 'RunStatus' });

@ObjectType('Run', {
  description: 'One trained model: an arm of the study at one seed.',
  implements: NodeInterface,
})
export class RunType {
  @Field(() => ID) id!: string;
  @Field(() => ID) experimentId!: string;
  @Field(() => RunRoleEnum) role!: RunRole;
  @Field(() => Float, {
    nullable: true,
    description: 'Distillation temperature; null unless distilled.',
  })
  temperature!: number | null;
  @Field(() => Int) seed!: number;
  @Field(() => String) architecture!: string;
  @Field(() => String, { nullable: true, description: 'TensorFlow.js backend the run trained on.' })
  backend!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "Where a distilled run's soft targets came from: 'cached' (its teacher's logits on the training split, computed once per seed) or 'live' (the teacher run on every batch: augmented data, or a split too large to cache). Null for teachers, plain students and runs not started.",
  })
  teacherOutputs!: string | null;
  @Field(() => RunStatusEnum) status!: RunStatus;
  @Field(() => Float, { description: 'Share of the run done, 0 to 1.' }) progress!: number;
  @Field(() => Int) epoch!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Loss of the current epoch so far (live), or of the last epoch.',
  })
  loss!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Top-1 test accuracy, 0 to 1, once finished; the live training accuracy before.',
  })
  accuracy!: number | null;
  @Field(() => Float, { nullable: true }) imagesPerSec!: number | null;
  @Field(() => Float, { nullable: true, description: 'Estimated seconds left, while running.' })
  etaSeconds!: number | null;
  @Field(() => [EpochMetricsType], { description: 'Finished epochs, ascending.' })
  history!: EpochMetricsType[];
  @Field(() => [Float], {
    nullable: 'itemsAndList',
    description: 'Test accuracy per class, 0 to 1; null entries for classes without test examples.',
  })
  classAccuracy!: (number | null)[] | null;
  @Field(() => [String], { nullable: true }) classNames!: string[] | null;
  /** As stored; the `error` field (RunResolver) shows viewers a copy without server paths. */
  error!: string | null;
  @Field(() => Int, { description: 'Times the queue has started this unit (retries count).' })
  attempt!: number;
  @Field(() => String, { nullable: true, description: 'Who runs or last ran it (host:pid).' })
  worker!: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) heartbeatAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) startedAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) finishedAt!: Date | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}
