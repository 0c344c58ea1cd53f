/**
 * Penultimate features: the activations feeding a model's final Dense (classifier) layer.
 * Individual-fairness metrics (Dwork et al. 2012; kNN consistency, Zemel et al. 2013) measure
 * distances between examples in this feature space, so every architecture must expose it the
 * same way, without a second model object that would share (and on dispose free) its weights.
 */
import type * as tf from '@tensorflow/tfjs';

export interface PenultimateFeatures {
  /** Row-major [count, d]. */
  values: Float32Array;
  /** Feature width: the classifier's input units. */
  d: number;
}

/** The symbolic tensors to fetch with model.execute: the classifier's input and the logits. */
export interface FeatureTaps {
  features: string;
  logits: string;
  d: number;
}

export function featureTaps(model: tf.LayersModel): FeatureTaps {
  const logits = model.outputs[0];
  if (logits === undefined || model.outputs.length !== 1) {
    throw new Error(`features: model '${model.name}' must have exactly one output`);
  }
  const classifier = logits.sourceLayer;
  if (classifier.getClassName() !== 'Dense') {
    throw new Error(
      `features: model '${model.name}' ends in a ${classifier.getClassName()} layer; penultimate features need a final Dense classifier`,
    );
  }
  // Our classifiers are called exactly once, so `input` is the one tensor feeding them.
  const input = classifier.input;
  if (Array.isArray(input) || input.shape.length !== 2) {
    throw new Error(`features: the classifier of '${model.name}' must take one [batch, d] input`);
  }
  const d = input.shape[1];
  if (d === null || d === undefined) {
    throw new Error(`features: the classifier input of '${model.name}' has an unknown width`);
  }
  return { features: input.name, logits: logits.name, d };
}

/** Inference-mode [features, logits] for one batch; call inside tf.tidy. */
export function featuresAndLogits(
  model: tf.LayersModel,
  taps: FeatureTaps,
  x: tf.Tensor,
): [tf.Tensor, tf.Tensor] {
  // execute() runs the graph once with training unset (dropout off, BN in inference mode).
  const out = model.execute(x, [taps.features, taps.logits]);
  if (!Array.isArray(out) || out.length !== 2) {
    throw new Error(`features: model '${model.name}' did not return [features, logits]`);
  }
  const [features, logits] = out;
  if (features === undefined || logits === undefined) throw new Error('features: missing output');
  return [features, logits];
}
