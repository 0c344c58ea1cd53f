import * as tf from '@tensorflow/tfjs';

/** Token id reserved for padding: sequences are right-padded with 0 (tfjs `maskZero` convention). */
export const padTokenId = 0;

/** [batch, length] float mask, 1 for real tokens and 0 for padding. */
export function paddingMask(tokens: tf.Tensor): tf.Tensor2D {
  return tf.notEqual(tokens, padTokenId).toFloat() as tf.Tensor2D;
}
