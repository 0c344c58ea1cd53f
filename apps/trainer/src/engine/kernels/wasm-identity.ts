/**
 * Identity for the wasm backend without a copy: the output shares the input's
 * buffer (ref-counted), as the cpu backend and the wasm Reshape kernel do.
 *
 * Why: tfjs-layers and the gradient tape run Identity on every activation;
 * the native wasm kernel mallocs and copies each time (~20 ms per step of the
 * reference CNN). Buffers are immutable once written (kernels always write
 * fresh outputs; Variable.assign swaps dataIds), so sharing is safe. The one
 * exception, the optimizers' slots updated in place (training/heap-variables.ts),
 * is written in place only while the backend counts no other reference to it.
 */
import type * as tf from '@tensorflow/tfjs';
import type { KernelOverrideConfig } from './wasm-kernel-config.ts';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

function isRefCounting(backend: unknown): backend is RefCountingBackend {
  return (
    typeof backend === 'object' &&
    backend !== null &&
    'incRef' in backend &&
    typeof backend.incRef === 'function'
  );
}

export function makeWasmIdentityKernel(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x;
    if (x === undefined || x.dtype === 'string' || !isRefCounting(args.backend)) {
      return original(args);
    }
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

export const identityOverride: KernelOverrideConfig = {
  kernelName: 'Identity',
  makeKernelFunc: makeWasmIdentityKernel,
};

/**
 * Cast to the dtype a tensor already has, shared like Identity (as the cpu backend does): it is
 * Identity's gradient, so every Identity on the tape cost a copy of its gradient going backward.
 */
export const castOverride: KernelOverrideConfig = {
  kernelName: 'Cast',
  makeKernelFunc: (original) => {
    const share = makeWasmIdentityKernel(original);
    return (args) => {
      const x = args.inputs.x;
      return x !== undefined && args.attrs?.dtype === x.dtype ? share(args) : original(args);
    };
  },
};
