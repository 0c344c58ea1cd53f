/**
 * Training-mode batch norm with a closed-form gradient on the wasm backend.
 *
 * tfjs-layers' BatchNormalization trains through tf.moments + tf.batchNorm, so autodiff
 * differentiates the statistics op by op (~25 broadcast kernels per layer). Here the forward
 * pass is two kernels (batch statistics, normalisation) and the backward pass one
 * (batch-norm.kernel-names.ts), tied together by tf.customGrad. The layer itself stays a stock
 * BatchNormalization (same class name, config, weights and checkpoints); only its training
 * call is swapped, and only where the kernels exist (wasm, float32, channels last). Every
 * other case — inference, other backends — runs the stock code.
 */
import * as tf from '@tensorflow/tfjs';
import { movingAverageOnHeap } from '../training/heap-variables.ts';
import { BN_APPLY, BN_GRAD, BN_STATS } from './batch-norm.kernel-names.ts';

type BatchNormLayer = ReturnType<typeof tf.layers.batchNormalization>;
type LayerCall = BatchNormLayer['call'];
type LayerVariable = BatchNormLayer['weights'][number];

/**
 * Whether training batch norm of `x` can take the fused wasm kernels; they are registered
 * with the other wasm kernels (register-wasm-kernels.ts).
 */
export function canFuseBatchNorm(x: tf.Tensor): boolean {
  return (
    tf.getBackend() === 'wasm' &&
    x.dtype === 'float32' &&
    x.rank >= 2 &&
    tf.getKernel(BN_GRAD, 'wasm') !== undefined
  );
}

/**
 * y = γ·(x − μ)/√(σ² + ε) + β over the last axis with μ, σ² the batch statistics of x, and
 * the statistics (for the moving averages). Gradients flow to x, γ and β through the batch
 * statistics too, like tf.moments + tf.batchNorm; mean and variance carry none. With `relu`, y
 * is max(0, y) in the same pass, and its gradient counts only where y > 0 (the ReLU's).
 */
export function fusedBatchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  relu = false,
): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const engine = tf.engine();
  // Outside the custom op, so the statistics outlive it for the moving-average update; the
  // tape records this kernel but prunes it, as nothing differentiated depends on its outputs.
  const [mean, variance] = engine.runKernel(BN_STATS, { x }, {}) as [tf.Tensor, tf.Tensor];
  const op = tf.customGrad((...args) => {
    const [xi, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const value = engine.runKernel(
      BN_APPLY,
      { x: xi, mean, variance, gamma: g, beta: b },
      { epsilon, relu },
    ) as tf.Tensor;
    save(relu ? [xi, g, mean, variance, value] : [xi, g, mean, variance]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, sm, sv, sr] = saved as [
          tf.Tensor,
          tf.Tensor,
          tf.Tensor,
          tf.Tensor,
          tf.Tensor?,
        ];
        return engine.runKernel(
          BN_GRAD,
          {
            dy,
            x: sx,
            mean: sm,
            variance: sv,
            gamma: sg,
            ...(sr === undefined ? {} : { relu: sr }),
          },
          { epsilon },
        ) as tf.Tensor[];
      },
    };
  });
  return { y: op(x, gamma, beta), mean, variance };
}

function weightNamed(layer: BatchNormLayer, name: string): LayerVariable | undefined {
  // 'gamma' when built standalone, '<layer name>/gamma' inside a model.
  return layer.weights.find((w) => w.originalName === name || w.originalName.endsWith(`/${name}`));
}

/** variable ← variable − (variable − value)·(1 − momentum), as tfjs-layers updates it. */
function movingAverage(variable: LayerVariable, value: tf.Tensor, momentum: number): void {
  const current = variable.read();
  if (current instanceof tf.Variable && movingAverageOnHeap(current, value, momentum)) return;
  tf.tidy(() => {
    const orig = variable.read();
    variable.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - momentum)));
  });
}

type ReluLayer = ReturnType<typeof tf.layers.reLU>;

/** Outputs of a fused batch norm that already had the ReLU after it applied (see below). */
const rectified = new WeakSet<tf.Tensor>();

/**
 * Makes `layer` train through fusedBatchNormTraining where it can. Mutates and returns the
 * layer (an instance patch rather than a subclass: tfjs does not export the class, and this
 * keeps the layer's identity for serialisation).
 *
 * With `relu`, the plain ReLU layer (no max value, no threshold) that takes this layer's output
 * and nothing else: the fused pass applies it as well (one pass over the activations forward and
 * one backward fewer per block), and the ReLU layer passes such an output through unchanged.
 * Wherever the fused pass does not run (inference, other backends), both layers run as stock.
 */
export function withFusedTraining(layer: BatchNormLayer, relu?: ReluLayer): BatchNormLayer {
  const stockCall: LayerCall = layer.call.bind(layer);
  const fuseRelu = relu !== undefined && isPlainRelu(relu);
  const fusedCall: LayerCall = (inputs, kwargs) => {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const config = layer.getConfig();
    const axis = typeof config.axis === 'number' ? config.axis : Number.NaN;
    const gamma = weightNamed(layer, 'gamma');
    const beta = weightNamed(layer, 'beta');
    const movingMean = weightNamed(layer, 'moving_mean');
    const movingVariance = weightNamed(layer, 'moving_variance');
    if (
      kwargs.training !== true ||
      x === undefined ||
      (Array.isArray(inputs) && inputs.length !== 1) ||
      (axis !== -1 && axis !== x.rank - 1) ||
      gamma === undefined ||
      beta === undefined ||
      movingMean === undefined ||
      movingVariance === undefined ||
      typeof config.epsilon !== 'number' ||
      typeof config.momentum !== 'number' ||
      !canFuseBatchNorm(x)
    ) {
      return stockCall(inputs, kwargs);
    }
    const epsilon = config.epsilon;
    const momentum = config.momentum;
    const out = tf.tidy(() => {
      const { y, mean, variance } = fusedBatchNormTraining(
        x,
        gamma.read(),
        beta.read(),
        epsilon,
        fuseRelu,
      );
      movingAverage(movingMean, mean, momentum);
      movingAverage(movingVariance, variance, momentum);
      return y;
    });
    if (fuseRelu) rectified.add(out);
    return out;
  };
  layer.call = fusedCall;
  if (relu !== undefined && fuseRelu) {
    const stockRelu = relu.call.bind(relu);
    relu.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x !== undefined && rectified.has(x) && !(Array.isArray(inputs) && inputs.length !== 1)) {
        // tfjs-layers clones an output that is its layer's input, so the tensor is not shared.
        return x;
      }
      return stockRelu(inputs, kwargs);
    };
  }
  return layer;
}

/** A ReLU layer that is max(0, x) and nothing more. */
function isPlainRelu(relu: ReluLayer): boolean {
  const config = relu.getConfig();
  return (
    relu.getClassName() === 'ReLU' && (config.maxValue === undefined || config.maxValue === null)
  );
}
