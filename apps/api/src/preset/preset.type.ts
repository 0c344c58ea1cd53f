import { GraphQLJSON } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { ExperimentSpecType } from '../spec/experiment-spec.type.ts';

@ObjectType('Preset', {
  description:
    'A spec that ships with KDLens (presets/*.yaml): the paper grid, fashion-mnist, demo.',
})
export class PresetType {
  @Field(() => String) name!: string;
  @Field(() => String) description!: string;
  @Field(() => ExperimentSpecType, { description: 'The parsed spec with every default filled in.' })
  spec!: ExperimentSpecType;
  @Field(() => GraphQLJSON, {
    description: 'The same spec as JSON; a launch form starts from it.',
  })
  specJson!: Record<string, unknown>;
}
