import { Field, Float, ObjectType } from 'type-graphql';

@ObjectType('ExperimentHeadline', {
  description:
    "The stored study summary's headline numbers, for lists: read from the summary as it was last computed, never recomputed by the request.",
})
export class ExperimentHeadlineType {
  @Field(() => Float, { nullable: true, description: "The teacher's mean accuracy over seeds." })
  teacherAccuracy!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: "The non-distilled student's (NDS) mean accuracy over seeds.",
  })
  ndsAccuracy!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'The highest mean accuracy of a distilled arm.',
  })
  bestDistilledAccuracy!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'The temperature of that arm (the lowest on a tie).',
  })
  bestDistilledTemperature!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'The largest mean demographic parity difference of any arm on any sensitive attribute (one-vs-rest mean when multi-class); null without sensitive attributes.',
  })
  maxDpd!: number | null;
  @Field(() => String, { nullable: true, description: 'The attribute of maxDpd.' })
  maxDpdAttribute!: string | null;
}
