import type { RunRole } from '@kdlens/core';
import type { ClassCorrection } from '@kdlens/metrics';
import { ArgsType, Field, Float, Int } from 'type-graphql';
import { ExperimentRefArgs } from '../experiment/experiment-ref.args.ts';
import { RunRoleEnum } from '../run/run.type.ts';
import { CorrectionEnum } from './class-statistic.enum.ts';

@ArgsType()
export class ClassGroupMatrixArgs extends ExperimentRefArgs {
  @Field(() => [String], {
    description: 'Sensitive attributes taken jointly; one group per combination of their values.',
  })
  attributes!: string[];
  @Field(() => RunRoleEnum, {
    nullable: true,
    description: 'Only the changes from this baseline (teacher or student); null: both.',
  })
  baseline?: RunRole | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Only the changes to the distilled arm at this temperature; null: every T.',
  })
  temperature?: number | null;
  @Field(() => Float, {
    defaultValue: 0.95,
    description: "Coverage of each cell's Welch interval, in (0, 1).",
  })
  confidence!: number;
  @Field(() => CorrectionEnum, { defaultValue: 'holm' }) correction!: ClassCorrection;
  @Field(() => Float, { defaultValue: 0.05, description: 'Significance level, in [0, 1].' })
  alpha!: number;
  @Field(() => Int, {
    defaultValue: 1,
    description: 'Cells with fewer test examples are left out of the worst cells.',
  })
  minExamples!: number;
  @Field(() => Int, {
    defaultValue: 100,
    description: 'At most this many worst cells per change (≤ 10000).',
  })
  worstLimit!: number;
}
