import * as tf from '@tensorflow/tfjs';

/**
 * `Layer.apply` is typed to return a union (eager Tensor, SymbolicTensor or arrays of
 * either). When wiring the functional graph it must be one SymbolicTensor; checking here
 * turns a wiring mistake into a clear error instead of a cast that hides it.
 */
export function applySymbolic(
  layer: tf.layers.Layer,
  input: tf.SymbolicTensor | tf.SymbolicTensor[],
): tf.SymbolicTensor {
  const out = layer.apply(input);
  if (!(out instanceof tf.SymbolicTensor)) {
    throw new Error(`Layer '${layer.name}' did not return a single SymbolicTensor`);
  }
  return out;
}
