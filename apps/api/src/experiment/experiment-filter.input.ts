import type { ExperimentStatus } from '@kdlens/core';
import { Field, InputType } from 'type-graphql';
import { ExperimentStatusEnum } from './experiment.type.ts';

@InputType('ExperimentFilter')
export class ExperimentFilter {
  @Field(() => String, { nullable: true, description: 'Exact data set name.' })
  dataset?: string | null;
  @Field(() => ExperimentStatusEnum, { nullable: true }) status?: ExperimentStatus | null;
  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name.' })
  name?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Experiments carrying this tag (exact; a tag is lowercase letters, digits, -, _ and ., at most 32 characters).',
  })
  tag?: string | null;
}
