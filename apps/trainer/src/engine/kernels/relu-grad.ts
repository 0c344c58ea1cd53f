/**
 * The Relu gradient on wasm as one kernel, KDLensReluGrad: dx = dy · step(x).
 *
 * Why: tfjs-core's Relu gradient is Step, Cast and Multiply, three passes over the activation
 * and two temporaries per conv–BN–ReLU layer (~10 % of a reference-CNN step once the
 * convolutions ran natively). The kernel computes tfjs' step (1 where x > 0, NaN where x is
 * NaN, else 0) times dy, the same float32 product, so gradients are bit-identical to stock tfjs.
 * It runs in the native addon when built (native-addon.ts), else as a loop on the heap.
 *
 * Other backends keep tfjs' gradient (gradients are registered per kernel, not per backend).
 */

import type { TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { nativeReluGrad } from './native-conv2d.ts';
import { isWasmHeapBackend } from './wasm-heap-module.ts';
import type { GradientOverrideConfig } from './wasm-kernel-config.ts';

export const RELU_GRAD = 'KDLensReluGrad';

const reluGradKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = inputs;
  if (dy === undefined || x === undefined || !isWasmHeapBackend(backend)) {
    throw new Error(`${RELU_GRAD}: inputs 'dy' and 'x' on the wasm backend are required`);
  }
  const native = nativeReluGrad(backend, x, dy);
  if (native !== undefined) return native;
  const dx: TensorInfo = backend.makeOutput([...x.shape], 'float32');
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const dxv = backend.typedArrayFromHeap(dx) as Float32Array;
  for (let i = 0; i < dxv.length; i++) {
    const v = xv[i] as number;
    dxv[i] = (dyv[i] as number) * (v > 0 ? 1 : Number.isNaN(v) ? v : 0);
  }
  return dx;
};

export const reluGradConfig: tf.KernelConfig = {
  kernelName: RELU_GRAD,
  backendName: 'wasm',
  kernelFunc: reluGradKernel,
};

export function makeWasmReluGradConfig(original: tf.GradConfig): tf.GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0];
      if (
        tf.getBackend() !== 'wasm' ||
        Array.isArray(dy) ||
        x === undefined ||
        x.dtype !== 'float32' ||
        dy.dtype !== 'float32' ||
        tf.getKernel(RELU_GRAD, 'wasm') === undefined
      ) {
        return original.gradFunc(dy, saved, attrs);
      }
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy, x }, {}) as tf.Tensor };
    },
  };
}

export const reluGradOverride: GradientOverrideConfig = {
  kernelName: 'Relu',
  makeGradConfig: makeWasmReluGradConfig,
};
