import { Field, ObjectType } from 'type-graphql';
import { ArmType } from './arm.type.ts';
import { EstimateType } from './estimate.type.ts';

@ObjectType('ArmIndividualFairness')
export class ArmIndividualFairnessType {
  @Field(() => ArmType) arm!: ArmType;
  @Field(() => EstimateType, {
    nullable: true,
    description:
      'Mean ‖f(x) − f(x′)‖₁ / d(x, x′) over pairs (lower is fairer); null when the runs stored no probabilities.',
  })
  lipschitz!: EstimateType | null;
  @Field(() => EstimateType, { description: 'kNN consistency (higher is fairer).' })
  consistency!: EstimateType;
}

@ObjectType('IndividualFairness', { description: "The paper's Table 4, per arm." })
export class IndividualFairnessType {
  @Field(() => Boolean) available!: boolean;
  @Field(() => String, { nullable: true, description: 'Why it is not available.' })
  reason!: string | null;
  @Field(() => Boolean, {
    description: 'Results changed since the stored study summary was computed.',
  })
  stale!: boolean;
  @Field(() => [ArmIndividualFairnessType]) arms!: ArmIndividualFairnessType[];
}
