import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../random/rng.ts';
import { initBackend } from '../backend.ts';
import { withPrunableGradients } from './conv2d.layer.ts';

function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Two bias-free convolutions on an image batch, as a network's first two layers. */
function twoConvs(patched: boolean, strides: number, padding: 'same' | 'valid') {
  const input = tf.input({ shape: [9, 9, 3] });
  const layers = [4, 8].map((filters, i) => {
    const layer = tf.layers.conv2d({
      filters,
      kernelSize: 3,
      strides: i === 0 ? strides : 1,
      padding,
      useBias: false,
      kernelInitializer: tf.initializers.glorotUniform({ seed: 7 + i }),
    });
    return patched ? withPrunableGradients(layer) : layer;
  });
  const [first, second] = layers;
  if (first === undefined || second === undefined) throw new Error('two layers expected');
  const out = second.apply(first.apply(input)) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Training output, the weights' gradients and the kernels one training step runs. */
async function trainingStep(patched: boolean, strides: number, padding: 'same' | 'valid') {
  const model = twoConvs(patched, strides, padding);
  const x = tf.tensor4d(randomArray(2 * 9 * 9 * 3, 1), [2, 9, 9, 3]);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let y: Float32Array = new Float32Array(0);
  const profile = await tf.profile(() => {
    const { grads, value } = tf.variableGrads(() => {
      const out = model.apply(x, { training: true }) as tf.Tensor;
      y = out.dataSync() as Float32Array;
      return tf.sum(tf.mul(out, out)) as tf.Scalar;
    }, variables);
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
  });
  const { grads, value } = tf.variableGrads(
    () => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
    variables,
  );
  const gradients = variables.map((v) => grads[v.name]?.dataSync() as Float32Array);
  const inference = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  tf.dispose([x, value, ...Object.values(grads)]);
  model.dispose();
  return {
    y,
    gradients,
    inference,
    kernels: profile.kernels.map((k) => k.name).filter((n) => !n.endsWith('__op')),
  };
}

describe('withPrunableGradients', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const [strides, padding] of [
      [1, 'same'],
      [2, 'valid'],
    ] as const) {
      it(`trains to the same values as the stock layer, without the first layer's input gradient (${backend}, stride ${strides}, ${padding})`, async () => {
        await initBackend(backend);
        const stock = await trainingStep(false, strides, padding);
        const plain = await trainingStep(true, strides, padding);
        expect(plain.y).toEqual(stock.y);
        expect(plain.gradients).toEqual(stock.gradients);
        expect(plain.inference).toEqual(stock.inference);
        const count = (kernels: string[], name: string) => kernels.filter((k) => k === name).length;
        // The stock layers run the input gradient of both convolutions; the patched ones only of
        // the second, whose input is the first one's output.
        expect(count(stock.kernels, 'Conv2DBackpropInput')).toBe(2);
        expect(count(plain.kernels, 'Conv2DBackpropInput')).toBe(1);
        expect(count(plain.kernels, 'Conv2DBackpropFilter')).toBe(2);
      });
    }
  }

  it('leaves a convolution with a bias or an activation to the stock call', async () => {
    await initBackend('cpu');
    const layer = withPrunableGradients(
      tf.layers.conv2d({ filters: 2, kernelSize: 3, useBias: true, activation: 'relu' }),
    );
    const x = tf.tensor4d(randomArray(5 * 5 * 1, 3), [1, 5, 5, 1]);
    const profile = await tf.profile(() => {
      tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
    });
    expect(profile.kernels.map((k) => k.name)).toContain('FusedConv2D');
    expect(profile.kernels.map((k) => k.name)).not.toContain('Conv2D');
    x.dispose();
    layer.dispose();
  });
});
