/**
 * Training a bias-free convolution through the plain Conv2D op.
 *
 * tfjs-layers' Conv2D calls tf.fused.conv2d even with no bias and a linear activation, and the
 * fused op's gradient (a tf.customGrad) computes the input gradient and the filter gradient
 * together, whether or not anything needs the first. For a network's first layer nothing does:
 * its input is the batch of images. Conv2D's registered gradient has one function per input,
 * and the tape calls only those on a path to a variable, so that layer's Conv2DBackpropInput (as
 * long as its forward pass at 3 input channels) is never run. The same kernels compute
 * everything else, so the values are unchanged. Inference keeps the stock call.
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
  const plainCall: LayerCall = (inputs, kwargs) => {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const config = layer.getConfig();
    const kernel = layer.weights.find(
      (w) => w.originalName === 'kernel' || w.originalName.endsWith('/kernel'),
    );
    const strides = pairOf(config.strides);
    const dilations = pairOf(config.dilationRate ?? 1);
    if (
      kwargs.training !== true ||
      x === undefined ||
      x.rank !== 4 ||
      (Array.isArray(inputs) && inputs.length !== 1) ||
      config.useBias !== false ||
      (config.activation !== undefined && config.activation !== 'linear') ||
      (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') ||
      (config.padding !== 'same' && config.padding !== 'valid') ||
      kernel === undefined ||
      strides === undefined ||
      dilations === undefined
    ) {
      return stockCall(inputs, kwargs);
    }
    const padding = config.padding;
    return tf.tidy(() =>
      tf.conv2d(
        x as tf.Tensor4D,
        kernel.read() as tf.Tensor4D,
        strides,
        padding,
        'NHWC',
        dilations,
      ),
    );
  };
  layer.call = plainCall;
  return layer;
}
