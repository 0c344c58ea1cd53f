import type { RunRole } from '@kdlens/core';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { RunRoleEnum } from '../run/run.type.ts';
import { EstimateType } from './estimate.type.ts';

@ObjectType('Arm', {
  description: 'One arm of the study (teacher, NDS, or distilled at T) over its seeds.',
})
export class ArmType {
  @Field(() => RunRoleEnum) role!: RunRole;
  @Field(() => Float, { nullable: true, description: 'Set exactly when role is distilled.' })
  temperature!: number | null;
  @Field(() => String, { description: 'The paper\'s name: "Teacher", "NDS" or "KD T=4".' })
  label!: string;
  @Field(() => [Int], { description: 'Seeds with stored results, ascending.' }) seeds!: number[];
  @Field(() => EstimateType, {
    nullable: true,
    description: 'Top-1 test accuracy over seeds, from the stored study summary; null without one.',
  })
  accuracy!: EstimateType | null;
}
