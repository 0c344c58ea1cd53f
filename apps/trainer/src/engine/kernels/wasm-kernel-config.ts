/**
 * The configs of KDLens' wasm kernels that tfjs' KernelConfig cannot express, listed with the
 * plain KernelConfigs in ../register-wasm-kernels.ts. A replacement of a native kernel (or
 * gradient) is made from the native one, which it keeps as its fallback for the cases it does
 * not handle, so its config is a function of the original rather than a kernelFunc.
 */
import type * as tf from '@tensorflow/tfjs';

/** A faster version of the wasm package's kernel `kernelName`, falling back to `original`. */
export interface KernelOverrideConfig {
  kernelName: string;
  makeKernelFunc(original: tf.KernelFunc): tf.KernelFunc;
}

/**
 * A gradient replaced for the wasm backend. Gradients are registered per kernel, not per
 * backend, so the replacement delegates to `original` on other backends.
 */
export interface GradientOverrideConfig {
  kernelName: string;
  makeGradConfig(original: tf.GradConfig): tf.GradConfig;
}
