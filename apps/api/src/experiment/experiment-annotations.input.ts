import { Field, ID, InputType } from 'type-graphql';

@InputType('UpdateExperimentAnnotationsInput', {
  description:
    'The experiment by id or by name (exactly one), and its tags and note as they should be: both replace what is stored.',
})
export class UpdateExperimentAnnotationsInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => [String], {
    description:
      "At most 16 tags, each 1 to 32 of lowercase letters, digits, '-', '_' and '.', starting with a letter or digit; trimmed, duplicates dropped.",
  })
  tags!: string[];
  @Field(() => String, {
    nullable: true,
    description: 'At most 4000 characters; null or blank removes the note.',
  })
  note?: string | null;
}
