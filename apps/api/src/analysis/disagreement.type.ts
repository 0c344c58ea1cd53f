import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ArmType } from './arm.type.ts';
import { EstimateType } from './estimate.type.ts';

@ObjectType('DisagreementRow', { simpleResolvers: true })
export class DisagreementRowType {
  @Field(() => Int) classIndex!: number;
  @Field(() => String) className!: string;
  @Field(() => Int, { description: 'Test examples whose true class this is.' })
  examples!: number;
  @Field(() => Float, {
    nullable: true,
    description:
      "Share of the class's test examples where a and b predict differently (@kdlens/metrics disagreement), mean over common seeds; null for a class without examples.",
  })
  disagreement!: number | null;
  @Field(() => EstimateType, {
    description:
      "The class's disagreement over the common seeds: mean, sd and the study's bootstrap CI (@kdlens/metrics armDisagreement).",
  })
  estimate!: EstimateType;
}

@ObjectType('Disagreement')
export class DisagreementType {
  @Field(() => ArmType) a!: ArmType;
  @Field(() => ArmType) b!: ArmType;
  @Field(() => [Int], {
    description: 'Seeds both arms have results for; run i of a meets run i of b.',
  })
  seeds!: number[];
  @Field(() => Float, {
    nullable: true,
    description: 'Share of all test examples where a and b differ, mean over common seeds.',
  })
  overall!: number | null;
  @Field(() => EstimateType, {
    description: 'The overall share over the common seeds, with its bootstrap CI.',
  })
  overallEstimate!: EstimateType;
  @Field(() => [DisagreementRowType]) rows!: DisagreementRowType[];
}

@ObjectType('DisagreementPair', {
  simpleResolvers: true,
  description: 'Two arms with their common seeds and how often they disagree overall.',
})
export class DisagreementPairType {
  @Field(() => ArmType) a!: ArmType;
  @Field(() => ArmType) b!: ArmType;
  @Field(() => [Int], { description: 'Seeds both arms have results for.' }) seeds!: number[];
  @Field(() => EstimateType, {
    description:
      'Share of all test examples where a and b differ, over the common seeds, with its bootstrap CI.',
  })
  overall!: EstimateType;
}
