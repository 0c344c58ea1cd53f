import type { RunRole } from '@kdlens/core';
import type { ClassCorrection, ClassStatistic } from '@kdlens/metrics';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { ExperimentType } from '../experiment/experiment.type.ts';
import { RunRoleEnum } from '../run/run.type.ts';
import { ArmType } from './arm.type.ts';
import { ClassStatisticEnum, CorrectionEnum } from './class-statistic.enum.ts';
import { EstimateType } from './estimate.type.ts';
import { SignificanceCountsType } from './significance-sweep.type.ts';

@ObjectType('ComparedSignificance', {
  simpleResolvers: true,
  description: "SC and TC at one temperature, from the experiment's stored study summary.",
})
export class ComparedSignificanceType {
  @Field(() => Float) temperature!: number;
  @Field(() => SignificanceCountsType, { nullable: true, description: 'NDS → KD T.' })
  sc!: SignificanceCountsType | null;
  @Field(() => SignificanceCountsType, { nullable: true, description: 'Teacher → KD T.' })
  tc!: SignificanceCountsType | null;
}

@ObjectType('ArmDisparity', {
  simpleResolvers: true,
  description: "One arm's DPD and EOD over seeds, from the stored study summary.",
})
export class ArmDisparityType {
  @Field(() => ArmType) arm!: ArmType;
  @Field(() => EstimateType) dpd!: EstimateType;
  @Field(() => EstimateType) eod!: EstimateType;
}

@ObjectType('ComparedGroupFairness', {
  simpleResolvers: true,
  description: "DPD and EOD per arm for one sensitive attribute (the experiment's Table 2).",
})
export class ComparedGroupFairnessType {
  @Field(() => String) attribute!: string;
  @Field(() => [String]) groups!: string[];
  @Field(() => [ArmDisparityType], { description: 'Teacher, NDS, distilled by ascending T.' })
  arms!: ArmDisparityType[];
}

@ObjectType('ComparedExperiment', {
  description: "One experiment's side of a comparison: its stored study summary's tables.",
})
export class ComparedExperimentType {
  @Field(() => ExperimentType) experiment!: ExperimentType;
  @Field(() => Boolean, {
    description: "Runs' results changed since the summary was computed.",
  })
  stale!: boolean;
  @Field(() => Boolean, { description: 'A study summary is stored; false: the lists are empty.' })
  summarized!: boolean;
  @Field(() => Float, { nullable: true, description: 'The SC/TC significance level.' })
  alpha!: number | null;
  @Field(() => ClassStatisticEnum, { nullable: true, description: 'The SC/TC class statistic.' })
  statistic!: ClassStatistic | null;
  @Field(() => [ArmType], { description: 'Accuracy per arm: teacher, NDS, distilled by T.' })
  arms!: ArmType[];
  @Field(() => [Float], {
    nullable: 'items',
    description:
      "Per arm of `arms`: its mean accuracy minus the first experiment's same arm's; null for the first experiment or an arm it lacks.",
  })
  accuracyDelta!: (number | null)[];
  @Field(() => [ComparedSignificanceType], { description: 'By ascending temperature.' })
  significance!: ComparedSignificanceType[];
  @Field(() => [ComparedGroupFairnessType]) groupFairness!: ComparedGroupFairnessType[];
}

@ObjectType('ClassDeltaRow', {
  simpleResolvers: true,
  description: 'One class of a per-class delta.',
})
export class ClassDeltaRowType {
  @Field(() => Int) classIndex!: number;
  @Field(() => String) className!: string;
  @Field(() => Float, { nullable: true, description: 'Mean accuracy in the reference.' })
  accuracyReference!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean accuracy in this experiment.' })
  accuracy!: number | null;
  @Field(() => Float, { nullable: true, description: 'accuracy − accuracyReference.' })
  delta!: number | null;
  @Field(() => Float, { nullable: true }) p!: number | null;
  @Field(() => Float, { nullable: true }) adjustedP!: number | null;
  @Field(() => Boolean) significant!: boolean;
}

@ObjectType('ClassDelta', {
  simpleResolvers: true,
  description:
    "How one arm's per-class accuracy differs from the reference experiment's (the first) to another's: mean over seeds per class, Welch test per class where both have ≥ 2 seeds (@kdlens/metrics compareClassMatrices on raw class accuracy). Columns are by class index.",
})
export class ClassDeltaType {
  @Field(() => ID) referenceId!: string;
  @Field(() => ID) experimentId!: string;
  @Field(() => RunRoleEnum) role!: RunRole;
  @Field(() => Float, { nullable: true }) temperature!: number | null;
  @Field(() => String, { description: '"Teacher", "NDS" or "KD T=4".' }) label!: string;
  @Field(() => [Int]) referenceSeeds!: number[];
  @Field(() => [Int]) seeds!: number[];
  @Field(() => [Float], { nullable: 'items' }) accuracyReference!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) accuracy!: (number | null)[];
  @Field(() => [Float], { nullable: 'items', description: 'accuracy − accuracyReference.' })
  delta!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) p!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) adjustedP!: (number | null)[];
  @Field(() => Int) significantCount!: number;
  @Field(() => Int) testedCount!: number;
  @Field(() => [ClassDeltaRowType], {
    description: 'The classes that lost most, largest drop first (at most worstLimit).',
  })
  worst!: ClassDeltaRowType[];
}

@ObjectType('ExperimentComparison', {
  description: 'Experiments on the same test set side by side.',
})
export class ExperimentComparisonType {
  @Field(() => String, { description: "The shared test set's digest." }) testSetDigest!: string;
  @Field(() => Int) examples!: number;
  @Field(() => [String]) classNames!: string[];
  @Field(() => CorrectionEnum) correction!: ClassCorrection;
  @Field(() => Float) alpha!: number;
  @Field(() => [ComparedExperimentType], { description: 'In the order asked for.' })
  experiments!: ComparedExperimentType[];
  @Field(() => [ClassDeltaType], {
    description: 'Every further experiment against the first, for each arm both have.',
  })
  classDeltas!: ClassDeltaType[];
}
