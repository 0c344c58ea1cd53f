import type { ClassCorrection, ClassStatistic } from '@kdlens/metrics';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ArmType } from './arm.type.ts';
import { ClassStatisticEnum, CorrectionEnum } from './class-statistic.enum.ts';

// Plain data rows: default resolvers (simpleResolvers) keep 1000 rows cheap to serialise.
@ObjectType('ClassComparisonRow', {
  simpleResolvers: true,
  description:
    'One class of the class-bias test (@kdlens/metrics compareClasses). Null where undefined (NaN): e.g. t, df and p of an untested class.',
})
export class ClassComparisonRowType {
  @Field(() => Int) classIndex!: number;
  @Field(() => String) className!: string;
  @Field(() => Float, {
    nullable: true,
    description: "The class's test accuracy, mean over arm a's seeds.",
  })
  accuracyA!: number | null;
  @Field(() => Float, { nullable: true }) accuracyB!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: "The tested statistic (e.g. normalized accuracy), mean over arm a's seeds.",
  })
  statisticA!: number | null;
  @Field(() => Float, { nullable: true }) statisticB!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: "Sample sd (ddof 1) of the statistic over arm a's seeds.",
  })
  sdA!: number | null;
  @Field(() => Float, { nullable: true }) sdB!: number | null;
  @Field(() => Float, { nullable: true, description: 'statisticB − statisticA.' })
  delta!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'accuracyB − accuracyA: the change in class accuracy, whatever statistic is tested; null for a class without test examples.',
  })
  accuracyDelta!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'Welch t of a against b; null when undefined or infinite (constant, different arms).',
  })
  t!: number | null;
  @Field(() => Float, { nullable: true }) df!: number | null;
  @Field(() => Float, { nullable: true, description: 'Two-sided Welch p-value.' })
  p!: number | null;
  @Field(() => Float, { nullable: true, description: 'p after the correction.' })
  adjustedP!: number | null;
  @Field(() => Boolean) significant!: boolean;
}

@ObjectType('ClassComparisonColumns', {
  simpleResolvers: true,
  description:
    'The rows as columns, index i = class i: the same numbers in one list per field. A 1000-class answer costs GraphQL 15 fields to resolve instead of 15,000 (see bench/read-api.bench.ts), so large tables and heat maps should ask for this.',
})
export class ClassComparisonColumnsType {
  @Field(() => [String]) className!: string[];
  @Field(() => [Float], { nullable: 'items' }) accuracyA!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) accuracyB!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) statisticA!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) statisticB!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) sdA!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) sdB!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) delta!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) accuracyDelta!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) t!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) df!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) p!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) adjustedP!: (number | null)[];
  @Field(() => [Boolean]) significant!: boolean[];
}

@ObjectType('ClassComparison')
export class ClassComparisonType {
  @Field(() => ArmType) a!: ArmType;
  @Field(() => ArmType) b!: ArmType;
  @Field(() => ClassStatisticEnum) statistic!: ClassStatistic;
  @Field(() => CorrectionEnum) correction!: ClassCorrection;
  @Field(() => Float) alpha!: number;
  @Field(() => [ClassComparisonRowType], { description: 'One row per class, by class index.' })
  rows!: ClassComparisonRowType[];
  @Field(() => ClassComparisonColumnsType, {
    description: 'The same numbers as rows, one list per field: much cheaper for many classes.',
  })
  columns!: ClassComparisonColumnsType;
  @Field(() => Int) significantCount!: number;
  @Field(() => Int, { description: 'Classes with a defined p-value (m of the correction).' })
  testedCount!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'significantCount / testedCount; null when nothing was tested.',
  })
  significantFraction!: number | null;
}
