import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ExperimentResolver } from '../experiment/experiment.resolver.ts';

export function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: [ExperimentResolver], validate: false });
}
