import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ClassComparisonResolver } from '../analysis/class-comparison.resolver.ts';
import { ClassGroupMatrixResolver } from '../analysis/class-group-matrix.resolver.ts';
import { CompareExperimentsResolver } from '../analysis/compare-experiments.resolver.ts';
import { DisagreementResolver } from '../analysis/disagreement.resolver.ts';
import { GroupFairnessResolver } from '../analysis/group-fairness.resolver.ts';
import { IndividualFairnessResolver } from '../analysis/individual-fairness.resolver.ts';
import { IntersectionalFairnessResolver } from '../analysis/intersectional-fairness.resolver.ts';
import { SignificanceSweepResolver } from '../analysis/significance-sweep.resolver.ts';
import { ApiTokenResolver } from '../auth/api-token.resolver.ts';
import { authChecker } from '../auth/auth-checker.ts';
import { ControlResolver } from '../control/control.resolver.ts';
import { ExperimentResolver } from '../experiment/experiment.resolver.ts';
import { ExperimentAnnotationsResolver } from '../experiment/experiment-annotations.resolver.ts';
import { NodeResolver } from '../node/node.resolver.ts';
import { PresetResolver } from '../preset/preset.resolver.ts';
import { RunResolver } from '../run/run.resolver.ts';

export function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      ExperimentResolver,
      RunResolver,
      NodeResolver,
      ClassComparisonResolver,
      SignificanceSweepResolver,
      GroupFairnessResolver,
      IntersectionalFairnessResolver,
      ClassGroupMatrixResolver,
      CompareExperimentsResolver,
      IndividualFairnessResolver,
      DisagreementResolver,
      ApiTokenResolver,
      ControlResolver,
      ExperimentAnnotationsResolver,
      PresetResolver,
    ],
    authChecker,
    validate: false,
  });
}
