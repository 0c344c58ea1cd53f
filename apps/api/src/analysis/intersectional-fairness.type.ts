import type { DisparityMethod } from '@kdlens/metrics';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ArmType } from './arm.type.ts';
import { DisparityMethodEnum } from './disparity-method.enum.ts';
import { EstimateType } from './estimate.type.ts';

@ObjectType('IntersectionalGroupRow', {
  simpleResolvers: true,
  description:
    "One group (a combination of the attributes' values) for one arm, mean over the arm's seeds. Rates are one-vs-rest for the positive class, or the mean over classes of each class's rate when none is chosen.",
})
export class IntersectionalGroupRowType {
  @Field(() => String, { description: 'The values joined by " × ", e.g. "F × young".' })
  group!: string;
  @Field(() => [String], { description: "The group's value of each attribute, in order." })
  values!: string[];
  @Field(() => Int, { description: 'Test examples in the group.' }) count!: number;
  @Field(() => Boolean, {
    description: 'Fewer examples than minGroupSize: shown, but left out of DPD/EOD.',
  })
  small!: boolean;
  @Field(() => Float, { nullable: true, description: 'Top-1 accuracy within the group.' })
  accuracy!: number | null;
  @Field(() => Float, { nullable: true }) selectionRate!: number | null;
  @Field(() => Float, { nullable: true }) truePositiveRate!: number | null;
  @Field(() => Float, { nullable: true }) falsePositiveRate!: number | null;
}

@ObjectType('SmallGroup', { simpleResolvers: true })
export class SmallGroupType {
  @Field(() => String) group!: string;
  @Field(() => [String]) values!: string[];
  @Field(() => Int) count!: number;
}

@ObjectType('ArmIntersectionalFairness')
export class ArmIntersectionalFairnessType {
  @Field(() => ArmType) arm!: ArmType;
  @Field(() => EstimateType, { description: 'Demographic parity difference over seeds.' })
  dpd!: EstimateType;
  @Field(() => EstimateType, { description: 'Demographic parity ratio over seeds.' })
  dpr!: EstimateType;
  @Field(() => EstimateType, { description: 'Equalized odds difference (worst case) over seeds.' })
  eod!: EstimateType;
  @Field(() => EstimateType, { description: 'Equalized odds ratio (worst case) over seeds.' })
  eor!: EstimateType;
  @Field(() => [IntersectionalGroupRowType]) groups!: IntersectionalGroupRowType[];
}

@ObjectType('IntersectionalFairness', {
  description:
    "Group fairness of several sensitive attributes taken jointly (fairlearn's MetricFrame with several sensitive features), computed from the stored predictions.",
})
export class IntersectionalFairnessType {
  @Field(() => [String]) attributes!: string[];
  @Field(() => [String], {
    description: 'Every combination of the values, first attribute varying slowest.',
  })
  groups!: string[];
  @Field(() => Int, { nullable: true, description: 'Null: the mean over classes.' })
  positiveClass!: number | null;
  @Field(() => String, { nullable: true }) positiveClassName!: string | null;
  @Field(() => DisparityMethodEnum) method!: DisparityMethod;
  @Field(() => Int) minGroupSize!: number;
  @Field(() => Int, { description: 'Groups with at least minGroupSize examples: those compared.' })
  comparedGroups!: number;
  @Field(() => [SmallGroupType], {
    description: 'Groups under minGroupSize (empty combinations included), with their counts.',
  })
  smallGroups!: SmallGroupType[];
  @Field(() => [ArmIntersectionalFairnessType], {
    description: 'Teacher, NDS, distilled by ascending T.',
  })
  arms!: ArmIntersectionalFairnessType[];
}
