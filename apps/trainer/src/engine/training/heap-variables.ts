/**
 * Variable updates written straight into the wasm backend's heap, in place of a chain of element-wise tensor ops: the optimizers' steps (adamOnHeap, sgdOnHeap) and
 * batch norm's moving averages (movingAverageOnHeap).
 *
 * Why: Adam as tensor ops is ~14 kernels and ~8 scalar tensors per variable, each a dispatch
 * through the engine and its tape bookkeeping; the reference CNN has 14 variables, so ~270
 * dispatches per step for ~20,000 numbers, a fifth to a third of a step at the demo's 16×16
 * images (SGD with momentum: ~5 kernels per variable). Each step is one WebAssembly SIMD pass
 * per variable (wasm/optimizer-steps.wat).
 *
 * Same numbers: the steps run the tensor ops' float32 operations in their order (WebAssembly's
 * +, −, ×, ÷ and √ are IEEE-exact), and the moving average rounds each operation to float32 as it
 * happens (Math.fround: a double result of +, −, × or ÷ of two float32 numbers, rounded again to
 * float32, is the correctly rounded float32 result, since 53 ≥ 2·24 + 2 bits). So both ways give
 * the same bits for every result that is not NaN (a NaN's sign and payload are unspecified);
 * heap-variables.test.ts checks it, and checkpoints taken either way resume bit-identically.
 *
 * Safe: a model's variables always get a fresh buffer, which the variable is then assigned, as
 * Variable.assign always did: the wasm backend's XNNPACK kernels (convolution, dense) cache
 * weights packed from a buffer by its tensor id, so a buffer a model reads must never change.
 * Only the optimizers' slots (Adam's moments, SGD's momentum), which nothing but the optimizer
 * reads, are overwritten in place, and only when the backend counts no other reference to
 * their buffer (the wasm Identity kernel shares buffers, wasm-identity.ts).
 */

import type { TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import {
  exportedFunction,
  heapModuleExports,
  isWasmHeapBackend,
  type WasmHeapBackend,
} from '../kernels/wasm-heap-module.ts';
import { optimizerStepsWasmBase64 } from './wasm/optimizer-steps.wasm.ts';

interface HeapBackend extends WasmHeapBackend {
  refCount(dataId: object): number;
}

type Ptr = number;

interface OptimizerSteps {
  /** Then b1, c1, b2, c2, bc1, bc2, eps, lr, decay (f32) and decays (0 or 1). */
  adam(
    g: Ptr,
    w: Ptr,
    m: Ptr,
    v: Ptr,
    wOut: Ptr,
    mOut: Ptr,
    vOut: Ptr,
    n: number,
    ...scalars: number[]
  ): void;
  sgd(
    g: Ptr,
    w: Ptr,
    b: Ptr,
    wOut: Ptr,
    bOut: Ptr,
    n: number,
    momentum: number,
    negLr: number,
    wd: number,
    decays: number,
    nesterov: number,
  ): void;
}

/** wasm/optimizer-steps.wat on `backend`'s heap, or undefined (no WebAssembly SIMD here). */
function optimizerStepsFor(backend: HeapBackend): OptimizerSteps | undefined {
  const exports = heapModuleExports(optimizerStepsWasmBase64, backend);
  if (exports === undefined) return undefined;
  return {
    adam: exportedFunction(exports, 'adam'),
    sgd: exportedFunction(exports, 'sgd'),
  };
}

let enabled = true;

/** Turns the heap updates off (false) or on; returns the previous setting. For tests and benches. */
export function setHeapVariableUpdates(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** The wasm backend when every tensor is float32 and stored on it, else undefined (use tensor ops). */
function heapBackendFor(tensors: readonly tf.Tensor[]): HeapBackend | undefined {
  if (!enabled || tf.getBackend() !== 'wasm') return undefined;
  const backend: unknown = tf.backend();
  if (!isWasmHeapBackend(backend)) return undefined;
  if (!('refCount' in backend) || typeof backend.refCount !== 'function') return undefined;
  const heap = backend as HeapBackend;
  for (const t of tensors) {
    // refCount 0: the buffer is not the wasm backend's (made before it was set, say).
    if (t.dtype !== 'float32' || t.isDisposed || heap.refCount(t.dataId) < 1) return undefined;
  }
  return heap;
}

/**
 * Where a variable's new values go: a fresh buffer, or its own when `inPlace` and nothing else
 * references it. Allocate every target of an update before taking any heap view: an allocation
 * may grow the heap, which detaches the views taken before it.
 */
class Target {
  private readonly fresh: TensorInfo | undefined;

  constructor(
    private readonly backend: HeapBackend,
    readonly variable: tf.Variable,
    inPlace: boolean,
  ) {
    this.fresh =
      inPlace && backend.refCount(variable.dataId) === 1
        ? undefined
        : backend.makeOutput([...variable.shape], 'float32');
  }

  /** The values before the update. */
  input(): Float32Array {
    return this.backend.typedArrayFromHeap(this.variable) as Float32Array;
  }

  /** Where to write the values after it (the same array as input() when in place). */
  output(): Float32Array {
    return this.backend.typedArrayFromHeap(this.fresh ?? this.variable) as Float32Array;
  }

  /** Points the variable at the fresh buffer, when there is one. */
  commit(): void {
    if (this.fresh === undefined) return;
    const value = tf.engine().makeTensorFromTensorInfo(this.fresh);
    this.variable.assign(value);
    value.dispose();
  }
}

export interface AdamHyper {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − β1^t and 1 − β2^t for this step. */
  biasCorrection1: number;
  biasCorrection2: number;
  /** Decoupled decay rate (AdamW); 0 for Adam. */
  weightDecay: number;
}

/**
 * One Adam (or AdamW) step for every variable, on the heap:
 *   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  w ← w − lr·(m/bc1) / (√(v/bc2) + ε)
 *   and, where decayed[i], w ← w − (lr·wd)·w_before.
 * Returns false, having changed nothing, when the tensors are not all float32 on the wasm
 * backend or it has no WebAssembly SIMD: the caller then runs the same update as tensor ops.
 */
export function adamOnHeap(
  variables: readonly tf.Variable[],
  gradients: readonly tf.Tensor[],
  m: readonly tf.Variable[],
  v: readonly tf.Variable[],
  decayed: readonly boolean[],
  h: AdamHyper,
): boolean {
  const backend = heapBackendFor([...variables, ...gradients, ...m, ...v]);
  const steps = backend && optimizerStepsFor(backend);
  if (backend === undefined || steps === undefined) return false;
  checkSizes('adamOnHeap', variables, { gradient: gradients, m, v });
  const f = Math.fround;
  variables.forEach((variable, i) => {
    const targets = [
      new Target(backend, variable, false),
      new Target(backend, m[i] as tf.Variable, true),
      new Target(backend, v[i] as tf.Variable, true),
    ];
    const [wt, mt, vt] = targets as [Target, Target, Target];
    const decays = h.weightDecay > 0 && decayed[i] === true;
    steps.adam(
      backend.typedArrayFromHeap(gradients[i] as tf.Tensor).byteOffset,
      wt.input().byteOffset,
      mt.input().byteOffset,
      vt.input().byteOffset,
      wt.output().byteOffset,
      mt.output().byteOffset,
      vt.output().byteOffset,
      variable.size,
      f(h.beta1),
      f(1 - h.beta1),
      f(h.beta2),
      f(1 - h.beta2),
      f(h.biasCorrection1),
      f(h.biasCorrection2),
      f(h.epsilon),
      f(h.learningRate),
      decays ? f(h.learningRate * h.weightDecay) : 0,
      decays ? 1 : 0,
    );
    for (const t of targets) t.commit();
  });
  return true;
}

export interface SgdHyper {
  learningRate: number;
  momentum: number;
  nesterov: boolean;
  /** L2 in the gradient (g ← g + wd·w) where decayed[i]; 0 for none. */
  weightDecay: number;
}

/**
 * One SGD step with heavy-ball momentum for every variable, on the heap, as tfjs's
 * MomentumOptimizer computes it (with weight decay as L2 in the gradient first):
 *   b ← m·b + g;  w ← w − lr·b, or with Nesterov w ← w − lr·(g + m·b).
 * Returns false, having changed nothing, when adamOnHeap would.
 */
export function sgdOnHeap(
  variables: readonly tf.Variable[],
  gradients: readonly tf.Tensor[],
  buffers: readonly tf.Variable[],
  decayed: readonly boolean[],
  h: SgdHyper,
): boolean {
  const backend = heapBackendFor([...variables, ...gradients, ...buffers]);
  const steps = backend && optimizerStepsFor(backend);
  if (backend === undefined || steps === undefined) return false;
  checkSizes('sgdOnHeap', variables, { gradient: gradients, 'momentum buffer': buffers });
  const f = Math.fround;
  variables.forEach((variable, i) => {
    const wt = new Target(backend, variable, false);
    const bt = new Target(backend, buffers[i] as tf.Variable, true);
    const decays = h.weightDecay > 0 && decayed[i] === true;
    steps.sgd(
      backend.typedArrayFromHeap(gradients[i] as tf.Tensor).byteOffset,
      wt.input().byteOffset,
      bt.input().byteOffset,
      wt.output().byteOffset,
      bt.output().byteOffset,
      variable.size,
      f(h.momentum),
      f(-h.learningRate),
      decays ? f(h.weightDecay) : 0,
      decays ? 1 : 0,
      h.nesterov ? 1 : 0,
    );
    wt.commit();
    bt.commit();
  });
  return true;
}

/**
 * Throws, before anything is allocated or changed, unless every list holds a tensor of each
 * variable's size: the passes write as many values as the variable has into every slot.
 */
function checkSizes(
  step: string,
  variables: readonly tf.Variable[],
  lists: Record<string, readonly tf.Tensor[]>,
): void {
  variables.forEach((variable, i) => {
    for (const [what, list] of Object.entries(lists)) {
      const t = list[i];
      if (t === undefined || t.size !== variable.size) {
        throw new Error(
          `${step}: the ${what} of variable ${variable.name} has ${t?.size ?? 'no'} values, not ${variable.size}`,
        );
      }
    }
  });
}

/**
 * variable ← variable − (variable − value)·(1 − momentum), as tfjs-layers updates batch norm's
 * moving statistics, on the heap. Returns false, having changed nothing, off the wasm backend.
 */
export function movingAverageOnHeap(
  variable: tf.Variable,
  value: tf.Tensor,
  momentum: number,
): boolean {
  const backend = heapBackendFor([variable, value]);
  if (backend === undefined || value.size !== variable.size) return false;
  const f = Math.fround;
  const rate = f(1 - momentum);
  const target = new Target(backend, variable, false);
  const x = backend.typedArrayFromHeap(value) as Float32Array;
  const before = target.input();
  const after = target.output();
  for (let j = 0; j < before.length; j++) {
    const o = before[j] as number;
    after[j] = f(o - f(f(o - (x[j] as number)) * rate));
  }
  target.commit();
  return true;
}
