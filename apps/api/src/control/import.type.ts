import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { ExperimentType } from '../experiment/experiment.type.ts';

@InputType('ImportFileInput', {
  description:
    'A prediction file as text; the extension of `name` picks the format (.csv, .jsonl).',
})
export class ImportFileInput {
  @Field(() => String) name!: string;
  @Field(() => String) content!: string;
}

@ObjectType('ImportResult')
export class ImportResultType {
  @Field(() => ExperimentType) experiment!: ExperimentType;
  @Field(() => Int) runsImported!: number;
}
