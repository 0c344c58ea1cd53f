/**
 * Training a bias-free convolution through the plain Conv2D op.
 *
 * tfjs-layers' Conv2D calls tf.fused.conv2d even with no bias and a linear activation, and the
 * fused op's gradient (a tf.customGrad) computes the input gradient and the filter gradient
 * together, whether or not anything needs the first. For a network's first layer nothing does:
 * its input is the batch of images. Conv2D's registered gradient has one function per input,
 * and the tape calls only those on a path to a variable, so that layer's Conv2DBackpropInput
 * (which costs about as much as its forward pass) never runs. The same kernels compute the rest,
 * so the values are the same bits. Inference keeps the stock call.
 */
import * as tf from '@tensorflow/tfjs';

type Conv2DLayer = ReturnType<typeof tf.layers.conv2d>;
type LayerCall = Conv2DLayer['call'];

const pairOf = (v: unknown): [number, number] | undefined => {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number')) {
    return [v[0] as number, v[1] as number];
  }
  return undefined;
};

/**
 * Makes a bias-free, linear, channels-last `layer` train through tf.conv2d. Mutates and returns
 * the layer (an instance patch, as withFusedTraining does: its class, config and weights stay
 * the stock ones, so saved models and checkpoints are unchanged).
 */
export function withPrunableGradients(layer: Conv2DLayer): Conv2DLayer {
  const stockCall: LayerCall = layer.call.bind(layer);
  // The config is fixed from construction; read it once, not on every step.
  const config = layer.getConfig();
  const strides = pairOf(config.strides);
  const dilations = pairOf(config.dilationRate ?? 1);
  const padding = config.padding;
  const plain =
    config.useBias === false &&
    (config.activation === undefined || config.activation === 'linear') &&
    (config.dataFormat === undefined || config.dataFormat === 'channelsLast') &&
    (padding === 'same' || padding === 'valid') &&
    strides !== undefined &&
    dilations !== undefined;
  if (!plain) return layer;
  let kernel: Conv2DLayer['weights'][number] | undefined;
  const plainCall: LayerCall = (inputs, kwargs) => {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    // The weights exist once the layer is built, which happens before its first call.
    kernel ??= layer.weights.find(
      (w) => w.originalName === 'kernel' || w.originalName.endsWith('/kernel'),
    );
    if (
      kwargs.training !== true ||
      x === undefined ||
      x.rank !== 4 ||
      (Array.isArray(inputs) && inputs.length !== 1) ||
      kernel === undefined
    ) {
      return stockCall(inputs, kwargs);
    }
    const filter = kernel.read() as tf.Tensor4D;
    return tf.tidy(() => tf.conv2d(x as tf.Tensor4D, filter, strides, padding, 'NHWC', dilations));
  };
  layer.call = plainCall;
  return layer;
}
