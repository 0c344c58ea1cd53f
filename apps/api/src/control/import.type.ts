import { Field, InputType } from 'type-graphql';

@InputType('ImportFileInput', {
  description:
    'A prediction file as text; the extension of `name` picks the format (.csv, .jsonl).',
})
export class ImportFileInput {
  @Field(() => String) name!: string;
  @Field(() => String) content!: string;
}
