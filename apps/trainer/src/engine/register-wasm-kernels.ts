/**
 * Every custom kernel KDLens registers for the tfjs wasm backend, from one list (as
 * tfjs-backend-wasm's register_all_kernels.ts): each kernel is one file exporting its config.
 *
 * - addedKernels: kernels the wasm package lacks and training needs (a conv layer's filter
 *   gradient; UnsortedSegmentSum, the embedding gradient of the text models). Registered only
 *   when absent, so a future package version's native kernel wins; never removed, as there is
 *   no native kernel to go back to.
 * - fusedKernels: the fused training batch norm (fused/, used by models/conv-bn.ts): new kernels
 *   that only make training faster, installed and removed together with the replacements so
 *   "before" benchmarks exclude them.
 * - kernelOverrides: faster versions of the slow native kernels that dominate CNN and text
 *   training: Conv2DBackpropInput (→ one XNNPACK Conv2D), Tile (→ contiguous copies), Sum/Mean
 *   over leading axes (→ one streaming pass), MaxPoolGrad (→ a JS loop), Identity (→ shares the
 *   buffer instead of copying), transposed and batched BatchMatMul (→ XNNPACK), inference-mode
 *   FusedBatchNorm (→ the fused batch norm's SIMD pass). Each keeps the
 *   original kernel as its fallback for cases it does not handle. Conv2D and FusedConv2D (and the
 *   two convolution gradients) run on the native AVX2 addon when it is built and the CPU has
 *   AVX2 + FMA (kernels/native-addon.ts), else on the package's XNNPACK / our wasm kernels; so
 *   does Relu (the package's is a scalar loop).
 * - gradientOverrides: the Tile gradient as one Sum on wasm (kernels/tile-grad.ts), the Mean
 *   gradient as one Tile (kernels/mean-grad.ts), the Relu gradient as one KDLensReluGrad kernel
 *   (kernels/relu-grad.ts; registered with the fused kernels, native when the addon is built).
 *
 * The replacements need the package's kernels, and importing @tensorflow/tfjs-backend-wasm
 * registers them (overwriting any of ours of the same name). registerWasmKernels() may run before
 * that import: the added kernels' setupFunc then installs the replacements, as tfjs runs it when
 * the wasm backend is initialised, after the package registered its kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormApplyConfig, fusedBatchNormOverride } from './fused/batch-norm-apply.kernel.ts';
import { batchNormGradConfig } from './fused/batch-norm-grad.kernel.ts';
import { batchNormStatsConfig } from './fused/batch-norm-stats.kernel.ts';
import { conv2DBackpropInputOverride } from './kernels/conv2d-backprop-input-conv.ts';
import { meanGradOverride } from './kernels/mean-grad.ts';
import { conv2DOverride, fusedConv2DOverride, reluOverride } from './kernels/native-conv2d.ts';
import { reluGradConfig, reluGradOverride } from './kernels/relu-grad.ts';
import { tileGradOverride } from './kernels/tile-grad.ts';
import { batchMatMulOverride } from './kernels/wasm-batch-mat-mul.ts';
import { conv2DBackpropFilterConfig } from './kernels/wasm-conv2d-backprop-filter.ts';
import { castOverride, identityOverride } from './kernels/wasm-identity.ts';
import type { GradientOverrideConfig, KernelOverrideConfig } from './kernels/wasm-kernel-config.ts';
import { maxPoolGradOverride } from './kernels/wasm-max-pool-grad.ts';
import { meanOverride } from './kernels/wasm-mean.ts';
import { sumOverride } from './kernels/wasm-sum.ts';
import { tileOverride } from './kernels/wasm-tile.ts';
import { unsortedSegmentSumConfig } from './kernels/wasm-unsorted-segment-sum.ts';

const BACKEND_NAME = 'wasm';

const addedKernels: tf.KernelConfig[] = [conv2DBackpropFilterConfig, unsortedSegmentSumConfig];

const fusedKernels: tf.KernelConfig[] = [
  batchNormStatsConfig,
  batchNormApplyConfig,
  batchNormGradConfig,
  reluGradConfig,
];

const kernelOverrides: KernelOverrideConfig[] = [
  conv2DOverride,
  fusedConv2DOverride,
  reluOverride,
  conv2DBackpropInputOverride,
  tileOverride,
  sumOverride,
  meanOverride,
  maxPoolGradOverride,
  identityOverride,
  castOverride,
  batchMatMulOverride,
  fusedBatchNormOverride,
];

const gradientOverrides: GradientOverrideConfig[] = [
  tileGradOverride,
  meanGradOverride,
  reluGradOverride,
];

/** kernelFuncs installed by us, so a second call does not wrap them again. */
const installed = new WeakSet<tf.KernelFunc>();
/** The replaced configs, for uninstallWasmKernelOverrides. */
const originals = new Map<string, tf.KernelConfig>();
const installedGrads = new WeakSet<tf.GradFunc>();
const originalGrads = new Map<string, tf.GradConfig>();

/**
 * Registers every kernel of the lists above for the wasm backend: the replacements right away
 * when the wasm package's kernels are already registered, otherwise when the backend is
 * initialised (see the top of this file). Safe to call before or after the wasm backend is
 * initialised, and repeatedly. Returns the names of the added kernels this call registered.
 */
export function registerWasmKernels(): string[] {
  installWasmKernelOverrides();
  const registered: string[] = [];
  for (const config of addedKernels) {
    if (tf.getKernel(config.kernelName, BACKEND_NAME) !== undefined) continue;
    const own = config.setupFunc;
    tf.registerKernel({
      ...config,
      setupFunc: (backend) => {
        own?.(backend);
        installWasmKernelOverrides();
      },
    });
    registered.push(config.kernelName);
  }
  return registered;
}

/**
 * Installs the fused kernels and the replacements (idempotent). Returns the names of the
 * kernels replaced by this call.
 */
export function installWasmKernelOverrides(): string[] {
  for (const config of fusedKernels) {
    if (tf.getKernel(config.kernelName, BACKEND_NAME) === undefined) tf.registerKernel(config);
  }
  const replaced: string[] = [];
  for (const { kernelName, makeKernelFunc } of kernelOverrides) {
    const original = tf.getKernel(kernelName, BACKEND_NAME);
    if (original === undefined || installed.has(original.kernelFunc)) continue;
    const kernelFunc = makeKernelFunc(original.kernelFunc);
    installed.add(kernelFunc);
    originals.set(kernelName, original);
    tf.unregisterKernel(kernelName, BACKEND_NAME);
    // Keep the original setupFunc/disposeFunc: the fallback needs its setup.
    tf.registerKernel({ ...original, kernelFunc });
    replaced.push(kernelName);
  }
  for (const { kernelName, makeGradConfig } of gradientOverrides) {
    const original = tf.getGradient(kernelName);
    if (original === undefined || installedGrads.has(original.gradFunc)) continue;
    const config = makeGradConfig(original);
    installedGrads.add(config.gradFunc);
    originalGrads.set(kernelName, original);
    tf.registerGradient(config);
    replaced.push(`${kernelName} gradient`);
  }
  return replaced;
}

/**
 * Puts the native kernels back and removes the fused ones, so the layers train stock (for
 * "before" benchmarks and debugging); installWasmKernelOverrides() re-installs. The added
 * kernels stay. Returns the restored names.
 */
export function uninstallWasmKernelOverrides(): string[] {
  for (const { kernelName } of fusedKernels) {
    if (tf.getKernel(kernelName, BACKEND_NAME) !== undefined) {
      tf.unregisterKernel(kernelName, BACKEND_NAME);
    }
  }
  const restored: string[] = [];
  for (const [kernelName, original] of originals) {
    if (tf.getKernel(kernelName, BACKEND_NAME) !== undefined) {
      tf.unregisterKernel(kernelName, BACKEND_NAME);
    }
    tf.registerKernel(original);
    restored.push(kernelName);
  }
  originals.clear();
  for (const [kernelName, original] of originalGrads) {
    tf.registerGradient(original);
    restored.push(`${kernelName} gradient`);
  }
  originalGrads.clear();
  return restored;
}
