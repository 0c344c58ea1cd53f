import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType } from 'type-graphql';
import { ImportFileInput } from './import.type.ts';

@InputType('LaunchExperimentInput')
export class LaunchExperimentInput {
  @Field(() => GraphQLJSON, { description: 'The spec: an object, or YAML/JSON text.' })
  spec!: unknown;
}

@InputType('CancelExperimentInput', {
  description: 'The experiment by id or by name: exactly one.',
})
export class CancelExperimentInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
}

@InputType('CancelRunInput')
export class CancelRunInput {
  @Field(() => ID) id!: string;
}

@InputType('ImportPredictionsInput')
export class ImportPredictionsInput {
  @Field(() => String, {
    description: "The experiment's name; an experiment with that name is created if missing.",
  })
  experimentName!: string;
  @Field(() => [ImportFileInput]) files!: ImportFileInput[];
}
