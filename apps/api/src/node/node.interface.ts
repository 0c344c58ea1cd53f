import { Field, ID, InterfaceType } from 'type-graphql';

/**
 * The Relay Node interface: any object with an id can be fetched again with `node(id:)`. The ids
 * are the warehouse's UUIDs, not Relay's base64 "Type:id" global ids: UUIDs are already unique
 * across tables, and the same id then works in URLs, the CLI and every other field.
 */
@InterfaceType('Node', {
  description: 'An object with an id that `node(id:)` finds again (Experiment, Run).',
  // A run row names its experiment; an experiment row names its data set.
  resolveType: (value: object) => ('experimentId' in value ? 'Run' : 'Experiment'),
})
export abstract class NodeInterface {
  @Field(() => ID, { description: 'A UUID, unique across every Node type.' })
  id!: string;
}
