import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType('EpochMetrics', { simpleResolvers: true, description: 'One finished epoch of a run.' })
export class EpochMetricsType {
  @Field(() => Int) epoch!: number;
  @Field(() => Float, { nullable: true, description: 'Null when the loss diverged (non-finite).' })
  loss!: number | null;
  @Field(() => Float, { nullable: true }) trainAccuracy!: number | null;
  @Field(() => Float, { nullable: true, description: 'Null in epochs without an evaluation.' })
  evalAccuracy!: number | null;
  @Field(() => Float, { nullable: true }) imagesPerSec!: number | null;
  @Field(() => Float, { nullable: true, description: 'Wall time of the epoch.' })
  seconds!: number | null;
}
