import type { Estimate } from '@kdlens/metrics';
import { Field, Float, ObjectType } from 'type-graphql';

@ObjectType('Estimate', {
  simpleResolvers: true,
  description:
    'A quantity measured once per seed: mean, sample sd (ddof 1) and a bootstrap CI of the mean. Null where undefined (NaN).',
})
export class EstimateType {
  @Field(() => Float, { nullable: true }) mean!: number | null;
  @Field(() => Float, { nullable: true }) sd!: number | null;
  @Field(() => Float, { nullable: true, description: 'Lower end of the bootstrap CI.' })
  lower!: number | null;
  @Field(() => Float, { nullable: true }) upper!: number | null;
  @Field(() => [Float], { nullable: 'items', description: 'One value per seed, in seed order.' })
  values!: (number | null)[];
}

/** JSON (and GraphQL Float) has no NaN: "undefined" travels as null. */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

export function toEstimateType(e: Estimate): EstimateType {
  return {
    mean: finiteOrNull(e.mean),
    sd: finiteOrNull(e.sd),
    lower: finiteOrNull(e.lower),
    upper: finiteOrNull(e.upper),
    values: e.values.map(finiteOrNull),
  };
}
