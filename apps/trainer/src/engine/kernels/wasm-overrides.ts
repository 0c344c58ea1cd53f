/**
 * Replaces slow native wasm kernels that dominate CNN training with faster
 * implementations built on the backend's XNNPACK kernels or block copies:
 * Conv2DBackpropInput (→ one XNNPACK Conv2D), Tile (→ contiguous copies),
 * Sum/Mean over leading axes (→ one streaming pass), MaxPoolGrad (→ a JS
 * loop), Identity (→ shares the buffer instead of copying). Also registers the
 * fused training batch-norm kernels (fused/batch-norm-*.kernel.ts).
 * Each replacement keeps the original kernel as its fallback for cases it
 * does not handle. Adds UnsortedSegmentSum, which the package lacks (the
 * embedding gradient of the text models; kernels/wasm-unsorted-segment-sum.ts),
 * and on wasm computes the Tile gradient as one Sum (kernels/tile-grad.ts) and
 * runs transposed and batched BatchMatMul through XNNPACK (wasm-batch-mat-mul.ts).
 *
 * Must run after @tensorflow/tfjs-backend-wasm registered its kernels
 * (importing that package registers them and would overwrite ours);
 * idempotent.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormApplyConfig } from '../fused/batch-norm-apply.kernel.ts';
import { batchNormGradConfig } from '../fused/batch-norm-grad.kernel.ts';
import { batchNormStatsConfig } from '../fused/batch-norm-stats.kernel.ts';
import { makeWasmConv2DBackpropInputKernel } from './conv2d-backprop-input-conv.ts';
import { makeWasmTileGradConfig } from './tile-grad.ts';
import { makeWasmBatchMatMulKernel } from './wasm-batch-mat-mul.ts';
import { makeWasmIdentityKernel } from './wasm-identity.ts';
import { makeWasmMaxPoolGradKernel } from './wasm-max-pool-grad.ts';
import { makeWasmMeanKernel, makeWasmSumKernel } from './wasm-reduce.ts';
import { makeWasmTileKernel } from './wasm-tile.ts';
import { UNSORTED_SEGMENT_SUM, wasmUnsortedSegmentSumKernel } from './wasm-unsorted-segment-sum.ts';

const overrides: Record<string, (original: tf.KernelFunc) => tf.KernelFunc> = {
  Conv2DBackpropInput: makeWasmConv2DBackpropInputKernel,
  Tile: makeWasmTileKernel,
  Sum: makeWasmSumKernel,
  Mean: makeWasmMeanKernel,
  MaxPoolGrad: makeWasmMaxPoolGradKernel,
  Identity: makeWasmIdentityKernel,
  BatchMatMul: makeWasmBatchMatMulKernel,
};

/**
 * Kernels the wasm package does not register at all. Registered only when absent, so a
 * future package version's native kernel wins; uninstall leaves them, as there is no
 * native kernel to go back to and removing them would only stop text models training.
 */
const missing: Record<string, tf.KernelFunc> = {
  [UNSORTED_SEGMENT_SUM]: wasmUnsortedSegmentSumKernel,
};

/** The fused training batch norm's kernels (models/conv-bn.ts): new kernels, not replacements. */
const batchNormKernels: tf.KernelConfig[] = [
  batchNormStatsConfig,
  batchNormApplyConfig,
  batchNormGradConfig,
];

/** kernelFuncs installed by us, so a second call does not wrap them again. */
const installed = new WeakSet<tf.KernelFunc>();
/** The replaced configs, for uninstallWasmKernelOverrides. */
const originals = new Map<string, tf.KernelConfig>();

/**
 * Gradients replaced for the wasm backend. Gradients are registered per kernel, not per
 * backend, so each replacement delegates to the original gradient on other backends.
 */
const gradOverrides: Record<string, (original: tf.GradConfig) => tf.GradConfig> = {
  Tile: makeWasmTileGradConfig,
};
const installedGrads = new WeakSet<tf.GradFunc>();
const originalGrads = new Map<string, tf.GradConfig>();

/** Returns the names of the kernels replaced by this call. */
export function installWasmKernelOverrides(): string[] {
  // New kernels rather than replacements (the fused training batch norm of models/conv-bn.ts),
  // installed and removed together with the replacements so "before" benchmarks exclude them.
  for (const config of batchNormKernels) {
    if (tf.getKernel(config.kernelName, 'wasm') === undefined) tf.registerKernel(config);
  }
  for (const [kernelName, kernelFunc] of Object.entries(missing)) {
    if (tf.getKernel(kernelName, 'wasm') === undefined) {
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    }
  }
  const replaced: string[] = [];
  for (const [kernelName, make] of Object.entries(overrides)) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (original === undefined || installed.has(original.kernelFunc)) continue;
    const kernelFunc = make(original.kernelFunc);
    installed.add(kernelFunc);
    originals.set(kernelName, original);
    tf.unregisterKernel(kernelName, 'wasm');
    // Keep the original setupFunc/disposeFunc: the fallback needs its setup.
    tf.registerKernel({ ...original, kernelFunc });
    replaced.push(kernelName);
  }
  for (const [kernelName, make] of Object.entries(gradOverrides)) {
    const original = tf.getGradient(kernelName);
    if (original === undefined || installedGrads.has(original.gradFunc)) continue;
    const config = make(original);
    installedGrads.add(config.gradFunc);
    originalGrads.set(kernelName, original);
    tf.registerGradient(config);
    replaced.push(`${kernelName} gradient`);
  }
  return replaced;
}

/**
 * Puts the native kernels back (for "before" benchmarks and debugging);
 * installWasmKernelOverrides() re-installs. Returns the restored names.
 */
export function uninstallWasmKernelOverrides(): string[] {
  // The layers then train stock (the "before" variant of benchmarks).
  for (const { kernelName } of batchNormKernels) {
    if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
  }
  const restored: string[] = [];
  for (const [kernelName, original] of originals) {
    if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
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
