import type * as tf from '@tensorflow/tfjs';

/**
 * Number of trainable scalars, the quantity papers and torchvision report
 * (`sum(p.numel() for p in model.parameters())`): BN gamma/beta count, BN moving
 * mean/variance (non-trainable in tfjs, buffers in PyTorch) do not.
 */
export function trainableParameterCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce(
    (sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 0), 1),
    0,
  );
}
