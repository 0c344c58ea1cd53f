import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ArmType } from './arm.type.ts';
import { EstimateType } from './estimate.type.ts';

@ObjectType('GroupRow', {
  simpleResolvers: true,
  description:
    "One group of the attribute for one arm (@kdlens/metrics groupMetrics, fairlearn's MetricFrame.by_group), mean over the arm's seeds. Rates binarise at posLabel.",
})
export class GroupRowType {
  @Field(() => String) group!: string;
  @Field(() => Int, { description: 'Test examples in the group.' }) count!: number;
  @Field(() => Float, { nullable: true }) accuracy!: number | null;
  @Field(() => Float, { nullable: true }) selectionRate!: number | null;
  @Field(() => Float, { nullable: true }) truePositiveRate!: number | null;
  @Field(() => Float, { nullable: true }) falsePositiveRate!: number | null;
}

@ObjectType('ArmGroupFairness')
export class ArmGroupFairnessType {
  @Field(() => ArmType) arm!: ArmType;
  @Field(() => EstimateType, {
    description: 'Demographic parity difference over seeds (one-vs-rest mean when multi-class).',
  })
  dpd!: EstimateType;
  @Field(() => EstimateType, {
    description: 'Equalized odds difference over seeds (one-vs-rest mean when multi-class).',
  })
  eod!: EstimateType;
  @Field(() => [GroupRowType]) groups!: GroupRowType[];
}

@ObjectType('GroupFairness', { description: "The paper's Table 2 for one sensitive attribute." })
export class GroupFairnessType {
  @Field(() => String) attribute!: string;
  @Field(() => [String], { description: 'Groups in @kdlens/metrics groupIndex order.' })
  groups!: string[];
  @Field(() => Int, {
    nullable: true,
    description: 'The class taken as positive for selection rate, TPR and FPR.',
  })
  posLabel!: number | null;
  @Field(() => Boolean, {
    description:
      'Results changed since the stored study summary (DPD/EOD) was computed; it shows the older results.',
  })
  stale!: boolean;
  @Field(() => [ArmGroupFairnessType], { description: 'Teacher, NDS, distilled by ascending T.' })
  arms!: ArmGroupFairnessType[];
}
