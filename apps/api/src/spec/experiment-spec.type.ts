/**
 * The parsed ExperimentSpec (@kdlens/core spec/experiment-spec.schema.ts) as GraphQL object
 * types, field for field, so a script can select `spec { kd { temperatures } }` instead of
 * picking through JSON. The schema's unions (optimizer, schedule) are one object each whose
 * `name` says which fields apply; the others are null. Data set, architecture and backend names
 * are strings: core's lists grow, and an enum here would break clients on every addition.
 */
import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType('DatasetSubsetSpec', { description: 'Caps on a split, in examples.' })
export class DatasetSubsetSpecType {
  @Field(() => Int, { nullable: true }) train?: number;
  @Field(() => Int, { nullable: true }) test?: number;
}

@ObjectType('AugmentSpec', { description: 'Training-batch augmentation (pad, random crop, flip).' })
export class AugmentSpecType {
  @Field(() => Int) padding!: number;
  @Field(() => Boolean) flip!: boolean;
}

@ObjectType('TrifeatureGeneratorSpec')
export class TrifeatureGeneratorSpecType {
  @Field(() => Int) seed!: number;
  @Field(() => Int) trainCount!: number;
  @Field(() => Int) testCount!: number;
  @Field(() => Float) correlation!: number;
  @Field(() => Float, { nullable: true }) testCorrelation?: number;
}

@ObjectType('CsvColumnsSpec')
export class CsvColumnsSpecType {
  @Field(() => String, { nullable: true }) path?: string;
  @Field(() => String, { nullable: true }) text?: string;
  @Field(() => String, { nullable: true }) split?: string;
}

@ObjectType('DatasetSpec')
export class DatasetSpecType {
  @Field(() => String) name!: string;
  @Field(() => String, {
    nullable: true,
    description:
      'A server path: shown as <data set name> unless the caller is an operator or admin.',
  })
  root?: string;
  @Field(() => String, { nullable: true, description: "Null = the data set's default label." })
  label?: string;
  @Field(() => [String]) sensitive!: string[];
  @Field(() => Int, { nullable: true }) imageSize?: number;
  @Field(() => Float) validationSplit!: number;
  @Field(() => DatasetSubsetSpecType, { nullable: true }) subset?: DatasetSubsetSpecType;
  @Field(() => AugmentSpecType, { nullable: true }) augment?: AugmentSpecType;
  @Field(() => Int, { nullable: true }) maxLength?: number;
  @Field(() => TrifeatureGeneratorSpecType, { nullable: true })
  generator?: TrifeatureGeneratorSpecType;
  @Field(() => CsvColumnsSpecType, { nullable: true }) columns?: CsvColumnsSpecType;
}

@ObjectType('OptimizerSpec', {
  description:
    'sgd (momentum, nesterov, weightDecay) or adam / adamw (beta1, beta2, epsilon; adamw weightDecay).',
})
export class OptimizerSpecType {
  @Field(() => String) name!: string;
  @Field(() => Float, { nullable: true }) momentum?: number;
  @Field(() => Boolean, { nullable: true }) nesterov?: boolean;
  @Field(() => Float, { nullable: true }) weightDecay?: number;
  @Field(() => Float, { nullable: true }) beta1?: number;
  @Field(() => Float, { nullable: true }) beta2?: number;
  @Field(() => Float, { nullable: true }) epsilon?: number;
}

@ObjectType('LrScheduleSpec', {
  description: 'constant, step (milestones, gamma) or cosine (minLr); any with warmupSteps.',
})
export class LrScheduleSpecType {
  @Field(() => String) name!: string;
  @Field(() => Int, { nullable: true }) warmupSteps?: number;
  @Field(() => [Int], { nullable: true }) milestones?: readonly number[];
  @Field(() => Float, { nullable: true }) gamma?: number;
  @Field(() => Float, { nullable: true }) minLr?: number;
}

@ObjectType('ModelOptionsSpec', {
  description:
    'Architecture options: hidden (mlp); width (reference-cnn); dModel … pooling (transformer); embeddingDim, units (bigru).',
})
export class ModelOptionsSpecType {
  @Field(() => [Int], { nullable: true }) hidden?: number[];
  @Field(() => Int, { nullable: true }) width?: number;
  @Field(() => Int, { nullable: true }) dModel?: number;
  @Field(() => Int, { nullable: true }) numHeads?: number;
  @Field(() => Int, { nullable: true }) numLayers?: number;
  @Field(() => Int, { nullable: true }) ffDim?: number;
  @Field(() => Float, { nullable: true }) dropout?: number;
  @Field(() => String, { nullable: true }) pooling?: string;
  @Field(() => Int, { nullable: true }) embeddingDim?: number;
  @Field(() => Int, { nullable: true }) units?: number;
}

@ObjectType('ModelSpec', { description: "How one arm's network is trained." })
export class ModelSpecType {
  @Field(() => String) architecture!: string;
  @Field(() => Int) epochs!: number;
  @Field(() => Int) batchSize!: number;
  @Field(() => Float) learningRate!: number;
  @Field(() => OptimizerSpecType) optimizer!: OptimizerSpecType;
  @Field(() => LrScheduleSpecType) schedule!: LrScheduleSpecType;
  @Field(() => String, { description: 'epoch or step: what milestones and warmupSteps count.' })
  scheduleUnit!: string;
  @Field(() => ModelOptionsSpecType) options!: ModelOptionsSpecType;
  @Field(() => String, {
    nullable: true,
    description:
      'A server path: shown as <teacher weights> / <student weights> unless the caller is an operator or admin.',
  })
  pretrained?: string;
}

@ObjectType('KdSpec')
export class KdSpecType {
  @Field(() => Float, { description: 'Weight of the soft (teacher) term.' }) alpha!: number;
  @Field(() => [Float]) temperatures!: number[];
}

@ObjectType('IndividualFairnessSpec')
export class IndividualFairnessSpecType {
  @Field(() => String, { description: 'input or teacher-embedding.' }) features!: string;
  @Field(() => String, { description: 'euclidean or cosine.' }) distance!: string;
  @Field(() => Int, {
    nullable: true,
    description: 'Pairs sampled for the Lipschitz ratio; null = every pair ("all").',
  })
  pairs!: number | null;
  @Field(() => Int) neighbors!: number;
}

@ObjectType('EvaluationSpec')
export class EvaluationSpecType {
  @Field(() => Int) topK!: number;
  @Field(() => IndividualFairnessSpecType) individualFairness!: IndividualFairnessSpecType;
}

@ObjectType('ExperimentSpec', {
  description: 'The parsed experiment spec, every default filled in (the JSON is in specJson).',
})
export class ExperimentSpecType {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => DatasetSpecType) dataset!: DatasetSpecType;
  @Field(() => ModelSpecType) teacher!: ModelSpecType;
  @Field(() => ModelSpecType) student!: ModelSpecType;
  @Field(() => KdSpecType) kd!: KdSpecType;
  @Field(() => [Int]) seeds!: number[];
  @Field(() => EvaluationSpecType) evaluation!: EvaluationSpecType;
  @Field(() => String) backend!: string;
}
