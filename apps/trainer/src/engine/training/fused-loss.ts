/**
 * The training step's loss (cross entropy, or the distillation loss of kd-loss.ts), its gradient
 * with respect to the logits, and the batch's correct count, in one pass over the logits.
 *
 * Written as tensor ops (kd-loss.ts), the distillation loss and its gradient are 96 kernel
 * dispatches on a [batch, classes] tensor of a few hundred values, and the correct count five
 * more: about 1 ms per step on wasm, 5–7 % of a small student's step, all of it per-kernel
 * overhead. Here the logits are read once (a copy of n × classes floats), everything is computed
 * in double precision per row, and the gradient goes back into the tape through tf.customGrad:
 * three kernels in all.
 *
 * The math, per example i with logits s, one-hot (or any non-negative) targets y, teacher
 * logits t, temperature T and weight α, and p(v) = softmax(v):
 *   CE_i = Σ_c y_c (lse(s) − s_c)                  ∂/∂s = (Σ_c y_c) p(s) − y
 *   KL_i = Σ_c p_c(t/T) (log p_c(t/T) − log p_c(s/T))  ∂/∂s = (p(s/T) − p(t/T)) / T
 *   L = mean_i [α T² KL_i + (1 − α) CE_i]      (L = mean_i CE_i without distillation)
 * kd-loss.ts keeps the tensor-op form; the tests hold the two to each other, value and gradient.
 *
 * Used on the backends that compute on this thread (wasm, cpu), where reading the logits is a
 * copy. train-step.ts keeps the tensor ops on tfjs-node's backends: there the read would stall a
 * GPU between the forward and the backward pass.
 */
import * as tf from '@tensorflow/tfjs';
import { validateKdOptions } from '../kd-loss.ts';

/** Distillation's part of the loss: the teacher's logits for the same rows, in the same order. */
export interface FusedKd {
  temperature: number;
  alpha: number;
  teacherLogits: Float32Array;
}

export interface LossAndGradient {
  /** The batch mean loss. */
  loss: number;
  /** ∂loss/∂logits, n × classes. */
  gradient: Float32Array;
  /** Rows whose highest logit is at the target's highest value (first index on ties, as tf.argMax). */
  correct: number;
}

function argMaxRow(values: ArrayLike<number>, offset: number, classes: number): number {
  let best = 0;
  let top = values[offset] as number;
  for (let c = 1; c < classes; c++) {
    const v = values[offset + c] as number;
    if (v > top) {
      top = v;
      best = c;
    }
  }
  return best;
}

/** log Σ_c exp(scale · v_c) over one row, shifted by the row's maximum. */
function logSumExp(values: ArrayLike<number>, offset: number, classes: number, scale: number) {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < classes; c++) max = Math.max(max, scale * (values[offset + c] as number));
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(scale * (values[offset + c] as number) - max);
  return max + Math.log(sum);
}

/** The loss, gradient and correct count of n rows of `classes` logits (see the file comment). */
export function lossAndGradient(
  logits: Float32Array,
  targets: Float32Array,
  n: number,
  kd?: FusedKd,
): LossAndGradient {
  if (!(n > 0) || logits.length % n !== 0 || targets.length !== logits.length) {
    throw new Error(
      `lossAndGradient: ${logits.length} logits and ${targets.length} targets are not ${n} equal rows`,
    );
  }
  const classes = logits.length / n;
  if (kd !== undefined && kd.teacherLogits.length !== logits.length) {
    throw new Error(
      `lossAndGradient: ${kd.teacherLogits.length} teacher logits for ${logits.length} student logits`,
    );
  }
  if (kd !== undefined) validateKdOptions(kd);
  // Double precision throughout, rounded to float32 once at the end.
  const gradient = new Float64Array(logits.length);
  const hard = kd === undefined ? 1 : 1 - kd.alpha;
  const invT = kd === undefined ? 1 : 1 / kd.temperature;
  let total = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const o = i * classes;
    if (argMaxRow(logits, o, classes) === argMaxRow(targets, o, classes)) correct++;
    const lse = logSumExp(logits, o, classes, 1);
    let ce = 0;
    let mass = 0;
    for (let c = 0; c < classes; c++) {
      const y = targets[o + c] as number;
      // A class with no target weight adds nothing, even at a logit of −∞ (where the tensor ops'
      // 0 · −∞ made the loss NaN though neither it nor its gradient depends on that class).
      if (y !== 0) ce += y * (lse - (logits[o + c] as number));
      mass += y;
    }
    let rowLoss = hard * ce;
    for (let c = 0; c < classes; c++) {
      const p = Math.exp((logits[o + c] as number) - lse);
      gradient[o + c] = hard * (mass * p - (targets[o + c] as number));
    }
    if (kd !== undefined) {
      const t = kd.teacherLogits;
      const lseS = logSumExp(logits, o, classes, invT);
      const lseT = logSumExp(t, o, classes, invT);
      let kl = 0;
      const soft = kd.alpha * kd.temperature;
      for (let c = 0; c < classes; c++) {
        const logPs = invT * (logits[o + c] as number) - lseS;
        const logPt = invT * (t[o + c] as number) - lseT;
        const pt = Math.exp(logPt);
        kl += pt * (logPt - logPs);
        // α T² · (p_s − p_t) / T, before the batch mean.
        gradient[o + c] = (gradient[o + c] as number) + soft * (Math.exp(logPs) - pt);
      }
      rowLoss += kd.alpha * kd.temperature * kd.temperature * kl;
    }
    total += rowLoss;
  }
  const scaled = new Float32Array(gradient.length);
  for (let j = 0; j < gradient.length; j++) scaled[j] = (gradient[j] as number) / n;
  return { loss: total / n, gradient: scaled, correct };
}

/** A float32 tensor's values, read synchronously (a copy on the wasm and cpu backends). */
export function float32Values(tensor: tf.Tensor, what: string): Float32Array {
  const values = tensor.dataSync();
  if (values instanceof Float32Array) return values;
  throw new Error(`${what} must be float32, got ${tensor.dtype}`);
}

/**
 * The loss of a [n, classes] logits tensor as a scalar on the tape, its gradient flowing back to
 * the logits only (targets and teacher logits are constants), and the batch's correct count.
 */
export function fusedTrainingLoss(
  logits: tf.Tensor,
  targets: Float32Array,
  kd?: FusedKd,
): { loss: tf.Scalar; correct: number } {
  if (logits.rank !== 2) {
    throw new Error(`fusedTrainingLoss: logits must be [batch, classes], got [${logits.shape}]`);
  }
  const [n = 0, classes = 0] = logits.shape;
  let correct = 0;
  const loss = tf.customGrad((...args) => {
    const [s] = args as [tf.Tensor];
    const result = lossAndGradient(float32Values(s, 'fusedTrainingLoss: logits'), targets, n, kd);
    correct = result.correct;
    return {
      value: tf.scalar(result.loss),
      gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor2d(result.gradient, [n, classes])),
    };
  })(logits) as tf.Scalar;
  return { loss, correct };
}
