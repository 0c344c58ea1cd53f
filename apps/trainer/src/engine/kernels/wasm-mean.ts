/** Mean over leading axes as one streaming pass on the wasm heap (wasm-reduce.ts). */
import type { KernelOverrideConfig } from './wasm-kernel-config.ts';
import { makeReduceKernel } from './wasm-reduce.ts';

export const meanOverride: KernelOverrideConfig = {
  kernelName: 'Mean',
  makeKernelFunc: (original) => makeReduceKernel(original, true),
};
