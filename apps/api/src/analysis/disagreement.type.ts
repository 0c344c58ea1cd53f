import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ArmType } from './arm.type.ts';

@ObjectType('DisagreementRow', { simpleResolvers: true })
export class DisagreementRowType {
  @Field(() => Int) classIndex!: number;
  @Field(() => String) className!: string;
  @Field(() => Float, {
    nullable: true,
    description:
      "Share of the class's test examples where a and b predict differently (@kdlens/metrics disagreement), mean over common seeds; null for a class without examples.",
  })
  disagreement!: number | null;
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
  @Field(() => [DisagreementRowType]) rows!: DisagreementRowType[];
}
