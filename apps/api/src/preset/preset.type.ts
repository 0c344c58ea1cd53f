import { GraphQLJSON } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';

@ObjectType('Preset', {
  description:
    'A spec that ships with KDLens (presets/*.yaml): the paper grid, fashion-mnist, demo.',
})
export class PresetType {
  @Field(() => String) name!: string;
  @Field(() => String) description!: string;
  @Field(() => GraphQLJSON, {
    description: 'The parsed spec with every default filled in; a launch form starts from it.',
  })
  spec!: Record<string, unknown>;
}
