import type { RunRole } from '@kdlens/core';
import type { ArmKey } from '@kdlens/metrics';
import { Field, Float, InputType } from 'type-graphql';
import { z } from 'zod';
import { badArgument } from '../experiment/lookup-errors.ts';
import { RunRoleEnum } from '../run/run.type.ts';

@InputType('ArmInput', { description: 'An arm: { role, temperature }, temperature iff distilled.' })
export class ArmInput {
  @Field(() => RunRoleEnum) role!: RunRole;
  @Field(() => Float, { nullable: true }) temperature?: number | null;
}

const armSchema = z
  .object({
    role: z.enum(['teacher', 'student', 'distilled']),
    temperature: z.number().positive('must be > 0').nullish(),
  })
  .refine((a) => (a.role === 'distilled') === (a.temperature != null), {
    message: 'temperature is required for a distilled arm and not allowed otherwise',
    path: ['temperature'],
  });

export function parseArm(input: ArmInput, argument: string): ArmKey {
  const parsed = armSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = [argument, ...(issue?.path ?? []).map(String)].join('.');
    throw badArgument(`${where}: ${issue?.message ?? 'invalid arm'}`, argument);
  }
  return { role: parsed.data.role, temperature: parsed.data.temperature ?? null };
}

const alphaSchema = z.number().min(0).max(1);

/** The significance level, [0, 1] as in @kdlens/metrics. */
export function parseAlpha(alpha: number): number {
  if (!alphaSchema.safeParse(alpha).success) {
    throw badArgument(`alpha: must be in [0, 1], got ${alpha}`, 'alpha');
  }
  return alpha;
}
