/**
 * Knowledge-distillation loss (Hinton et al., 2015).
 *
 *   L = α · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α) · CE(y, s)
 *
 * T softens both distributions so the student also learns the teacher's
 * "dark knowledge" (relative probabilities of wrong classes); the T² factor
 * keeps the soft-target gradients on the same scale as the hard-label ones
 * when T changes. Everything is averaged over the batch.
 */
import * as tf from '@tensorflow/tfjs';

export interface KdLossOptions {
  /** Softmax temperature T > 0. */
  temperature: number;
  /** Weight α ∈ [0, 1] of the soft (teacher) term; default 0.8. */
  alpha?: number;
}

function assertSameShape2d(a: tf.Tensor, b: tf.Tensor, what: string): void {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new Error(
      `${what}: expected two [batch, classes] tensors of equal shape, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`,
    );
  }
}

/** Mean over the batch of −Σ_c y_c · log softmax(logits)_c. */
export function crossEntropyLoss(logits: tf.Tensor, labelsOneHot: tf.Tensor): tf.Scalar {
  assertSameShape2d(logits, labelsOneHot, 'crossEntropyLoss');
  return tf.tidy(() =>
    tf.neg(tf.mean<tf.Scalar>(tf.sum(tf.mul(labelsOneHot, tf.logSoftmax(logits)), -1))),
  );
}

export function validateKdOptions(opts: KdLossOptions): { temperature: number; alpha: number } {
  const { temperature } = opts;
  const alpha = opts.alpha ?? 0.8;
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new Error(`KD temperature must be a finite number > 0, got ${temperature}`);
  }
  if (!(Number.isFinite(alpha) && alpha >= 0 && alpha <= 1)) {
    throw new Error(`KD alpha must be in [0, 1], got ${alpha}`);
  }
  return { temperature, alpha };
}

export function kdLoss(
  studentLogits: tf.Tensor,
  teacherLogits: tf.Tensor,
  labelsOneHot: tf.Tensor,
  opts: KdLossOptions,
): tf.Scalar {
  const { temperature: t, alpha } = validateKdOptions(opts);
  assertSameShape2d(studentLogits, teacherLogits, 'kdLoss (student vs teacher logits)');
  assertSameShape2d(studentLogits, labelsOneHot, 'kdLoss (student logits vs labels)');
  return tf.tidy(() => {
    const logPt = tf.logSoftmax(tf.div(teacherLogits, t));
    const logPs = tf.logSoftmax(tf.div(studentLogits, t));
    // KL(p_t ‖ p_s) = Σ p_t (log p_t − log p_s), per example, then batch mean.
    const kl = tf.mean<tf.Scalar>(tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), -1));
    const ce = crossEntropyLoss(studentLogits, labelsOneHot);
    return tf.add<tf.Scalar>(tf.mul(kl, alpha * t * t), tf.mul(ce, 1 - alpha));
  });
}
