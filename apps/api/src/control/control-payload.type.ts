import { Field, Int, ObjectType } from 'type-graphql';
import { ExperimentType } from '../experiment/experiment.type.ts';
import { RunType } from '../run/run.type.ts';

@ObjectType('LaunchExperimentPayload')
export class LaunchExperimentPayload {
  @Field(() => ExperimentType) experiment!: ExperimentType;
}

@ObjectType('CancelExperimentPayload')
export class CancelExperimentPayload {
  @Field(() => ExperimentType) experiment!: ExperimentType;
}

@ObjectType('CancelRunPayload')
export class CancelRunPayload {
  @Field(() => RunType) run!: RunType;
}

@ObjectType('ImportPredictionsPayload')
export class ImportPredictionsPayload {
  @Field(() => ExperimentType) experiment!: ExperimentType;
  @Field(() => Int) runsImported!: number;
}
