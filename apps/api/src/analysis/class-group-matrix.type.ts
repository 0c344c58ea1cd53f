import type { RunRole } from '@kdlens/core';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { RunRoleEnum } from '../run/run.type.ts';
import { ArmType } from './arm.type.ts';

@ObjectType('ClassGroupArm', {
  simpleResolvers: true,
  description:
    "One arm's accuracy per (class, group) over its seeds, class-major: entry c × groups + g. Null for an empty cell.",
})
export class ClassGroupArmType {
  @Field(() => ArmType) arm!: ArmType;
  @Field(() => [Float], { nullable: 'items', description: 'Mean over seeds.' })
  mean!: (number | null)[];
  @Field(() => [Float], { nullable: 'items', description: 'Sample sd over seeds (ddof 1).' })
  sd!: (number | null)[];
}

@ObjectType('ClassGroupCell', {
  simpleResolvers: true,
  description: 'One (class, group) cell of a change, with its Welch interval and test.',
})
export class ClassGroupCellType {
  @Field(() => Int, { description: 'Index into the class-major columns: c × groups + g.' })
  cell!: number;
  @Field(() => Int) classIndex!: number;
  @Field(() => String) className!: string;
  @Field(() => Int) groupIndex!: number;
  @Field(() => String) group!: string;
  @Field(() => Int, { description: 'Test examples of the class in the group.' }) examples!: number;
  @Field(() => Float, { nullable: true }) accuracyFrom!: number | null;
  @Field(() => Float, { nullable: true }) accuracyTo!: number | null;
  @Field(() => Float, { nullable: true, description: 'accuracyTo − accuracyFrom.' })
  delta!: number | null;
  @Field(() => Float, { nullable: true }) lower!: number | null;
  @Field(() => Float, { nullable: true }) upper!: number | null;
  @Field(() => Float, { nullable: true }) p!: number | null;
  @Field(() => Float, { nullable: true }) adjustedP!: number | null;
  @Field(() => Boolean) significant!: boolean;
}

@ObjectType('ClassGroupChange', {
  simpleResolvers: true,
  description:
    'How every (class, group) accuracy changed from a baseline (teacher or NDS) to a distilled arm: Welch test over seeds per cell (@kdlens/metrics compareClassGroups). Columns are class-major.',
})
export class ClassGroupChangeType {
  @Field(() => RunRoleEnum, { description: 'teacher or student (NDS).' }) baseline!: RunRole;
  @Field(() => ArmType) from!: ArmType;
  @Field(() => ArmType) to!: ArmType;
  @Field(() => [Float], { nullable: 'items', description: 'mean(to) − mean(from) per cell.' })
  delta!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) lower!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) upper!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) p!: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) adjustedP!: (number | null)[];
  @Field(() => Int) significantCount!: number;
  @Field(() => Int) testedCount!: number;
  @Field(() => [ClassGroupCellType], {
    description: 'The cells that lost most, largest drop first (at most worstLimit).',
  })
  worst!: ClassGroupCellType[];
}

@ObjectType('ClassGroupMatrix', {
  description:
    'Accuracy per (class, group) for each arm and its change from the teacher and NDS to each distilled arm.',
})
export class ClassGroupMatrixType {
  @Field(() => [String]) attributes!: string[];
  @Field(() => [String], { description: 'Groups, first attribute varying slowest.' })
  groups!: string[];
  @Field(() => [String]) classNames!: string[];
  @Field(() => [Int], { description: 'Test examples per cell, class-major.' }) examples!: number[];
  @Field(() => Float) confidence!: number;
  @Field(() => [ClassGroupArmType]) arms!: ClassGroupArmType[];
  @Field(() => [ClassGroupChangeType], {
    description:
      'Teacher → KD T and NDS → KD T for each T where both arms have ≥ 2 seeds (a variance).',
  })
  changes!: ClassGroupChangeType[];
}
