/**
 * The optimizers a training run can use, behind one small interface that the
 * loop, the LR schedule and the checkpointer all talk to.
 *
 * Weight decay is never applied to variables of rank ≤ 1 (biases, BatchNorm /
 * LayerNorm gammas and betas): decaying a scale or an offset towards 0 only
 * fights normalisation and does not regularise capacity — the usual practice
 * (e.g. the torchvision reference recipes' `norm_weight_decay=0`, and BERT/AdamW
 * recipes excluding bias and LayerNorm). Kernels and embeddings (rank ≥ 2) are
 * decayed.
 */
import * as tf from '@tensorflow/tfjs';
import { adamOnHeap, sgdOnHeap } from './heap-variables.ts';

export type OptimizerConfig =
  | {
      name: 'sgd';
      /** Heavy-ball momentum (PyTorch semantics, no dampening); default 0.9. */
      momentum?: number;
      nesterov?: boolean;
      /** L2 penalty added to the gradient: g ← g + wd·w (PyTorch SGD `weight_decay`). */
      weightDecay?: number;
    }
  | { name: 'adam'; beta1?: number; beta2?: number; epsilon?: number }
  | {
      name: 'adamw';
      /** Decoupled decay w ← w − lr·wd·w (Loshchilov & Hutter, 2019). */
      weightDecay: number;
      beta1?: number;
      beta2?: number;
      epsilon?: number;
    };

/** A tensor with the name tfjs gives it in optimizer weight lists (e.g. `dense/kernel/m`). */
export interface NamedSlot {
  name: string;
  tensor: tf.Tensor;
}

/** Optimizer state besides the model's own variables, as saved in a checkpoint. */
export interface OptimizerSlots {
  /** Updates applied so far. */
  iterations: number;
  /**
   * The optimizer's live slot variables (momentum buffers, Adam moments) in a
   * fixed order. Owned by the optimizer: do not dispose them.
   */
  slots: NamedSlot[];
}

export interface TrainingOptimizer {
  readonly config: OptimizerConfig;
  /** Current step size; schedules change it between steps. */
  readonly learningRate: number;
  setLearningRate(learningRate: number): void;
  /**
   * One update of `variables` (all of them, in the same order every call) with
   * `gradients[i]` for `variables[i]`. Gradients are not disposed.
   */
  applyGradients(variables: readonly tf.Variable[], gradients: readonly tf.Tensor[]): void;
  /** Computes the gradients of `loss` w.r.t. `variables`, applies them and returns the loss. */
  minimize(loss: () => tf.Scalar, variables: readonly tf.Variable[]): tf.Scalar;
  getSlots(): Promise<OptimizerSlots>;
  /**
   * Restores state saved by getSlots() into a FRESH optimizer (one that has not
   * taken a step yet). The given tensors are copied; the caller still owns them.
   */
  setSlots(state: OptimizerSlots): Promise<void>;
  dispose(): void;
}

/** tfjs Adam's default epsilon (backend epsilon for float32), kept so 'adam' behaves as before. */
const DEFAULT_ADAM_EPSILON = 1e-7;

function fail(message: string): never {
  throw new Error(`optimizer: ${message}`);
}

function checkRange(what: string, value: number | undefined, lo: number, hi: number): void {
  if (value === undefined) return;
  if (!(Number.isFinite(value) && value >= lo && value < hi)) {
    fail(`${what} must be in [${lo}, ${hi}), got ${value}`);
  }
}

/** Throws an Error naming the bad field; called at the boundary, before any tensor exists. */
export function validateOptimizerConfig(config: OptimizerConfig): void {
  switch (config.name) {
    case 'sgd':
      checkRange('sgd.momentum', config.momentum, 0, 1);
      checkRange('sgd.weightDecay', config.weightDecay, 0, 1);
      return;
    case 'adamw':
      if (config.weightDecay === undefined) fail('adamw.weightDecay is required');
      checkRange('adamw.weightDecay', config.weightDecay, 0, 1);
      break;
    case 'adam':
      break;
    default:
      fail(
        `name must be 'sgd', 'adam' or 'adamw', got '${String((config as { name: unknown }).name)}'`,
      );
  }
  checkRange(`${config.name}.beta1`, config.beta1, 0, 1);
  checkRange(`${config.name}.beta2`, config.beta2, 0, 1);
  if (config.epsilon !== undefined && !(Number.isFinite(config.epsilon) && config.epsilon > 0)) {
    fail(`${config.name}.epsilon must be a finite number > 0, got ${config.epsilon}`);
  }
}

/** Biases and normalisation scales/offsets: excluded from weight decay (see file comment). */
function isDecayed(variable: tf.Variable): boolean {
  return variable.rank > 1;
}

function checkLearningRate(learningRate: number): void {
  if (!(Number.isFinite(learningRate) && learningRate >= 0)) {
    fail(`learning rate must be a finite number >= 0, got ${learningRate}`);
  }
}

function minimizeWith(
  opt: TrainingOptimizer,
  loss: () => tf.Scalar,
  variables: readonly tf.Variable[],
): tf.Scalar {
  const { value, grads } = tf.variableGrads(loss, [...variables]);
  try {
    const gradients = variables.map(
      (v) => grads[v.name] ?? fail(`no gradient for variable ${v.name}`),
    );
    opt.applyGradients(variables, gradients);
  } finally {
    tf.dispose(grads);
  }
  return value;
}

/**
 * SGD with heavy-ball momentum, computed as tfjs's MomentumOptimizer does (which matches PyTorch
 * SGD with dampening 0): buf ← m·buf + g; w ← w − lr·buf; Nesterov: w ← w − lr·(g + m·buf).
 * Written out rather than wrapping tf.train.momentum so that the wasm backend can take the whole
 * step on its heap (heap-variables.ts); the slots keep tfjs's names (`<variable>/momentum`) and
 * order, so checkpoints from either resume the other.
 */
class SgdOptimizer implements TrainingOptimizer {
  private lr: number;
  private iterations = 0;
  private readonly momentum: number;
  private readonly nesterov: boolean;
  private readonly weightDecay: number;
  private buffers: tf.Variable[] = [];
  private slotNames: string[] = [];

  constructor(
    readonly config: Extract<OptimizerConfig, { name: 'sgd' }>,
    learningRate: number,
  ) {
    this.lr = learningRate;
    this.momentum = config.momentum ?? 0.9;
    this.nesterov = config.nesterov ?? false;
    this.weightDecay = config.weightDecay ?? 0;
  }

  get learningRate(): number {
    return this.lr;
  }

  setLearningRate(learningRate: number): void {
    checkLearningRate(learningRate);
    this.lr = learningRate;
  }

  applyGradients(variables: readonly tf.Variable[], gradients: readonly tf.Tensor[]): void {
    if (this.buffers.length !== variables.length) {
      if (this.buffers.length !== 0) fail('applyGradients called with a different variable list');
      this.buffers = variables.map((x) => tf.tidy(() => tf.zerosLike(x).variable(false)));
      this.slotNames = variables.map((x) => `${x.name}/momentum`);
    }
    const { momentum, nesterov, weightDecay: wd, lr } = this;
    const onHeap = sgdOnHeap(variables, gradients, this.buffers, variables.map(isDecayed), {
      learningRate: lr,
      momentum,
      nesterov,
      weightDecay: wd,
    });
    if (!onHeap) {
      tf.tidy(() => {
        variables.forEach((w, i) => {
          const buffer = this.buffers[i] ?? fail('momentum buffer missing');
          const raw = gradients[i] ?? fail(`missing gradient for variable ${w.name}`);
          // L2 in the gradient (PyTorch SGD weight_decay): g ← g + wd·w.
          const g = wd > 0 && isDecayed(w) ? tf.add(raw, tf.mul(w, wd)) : raw;
          const newBuffer = tf.add(tf.mul(momentum, buffer), g);
          const direction = nesterov ? tf.add(g, tf.mul(newBuffer, momentum)) : newBuffer;
          const newW = tf.add(tf.mul(-lr, direction), w);
          buffer.assign(newBuffer);
          w.assign(newW);
        });
      });
    }
    this.iterations++;
  }

  minimize(loss: () => tf.Scalar, variables: readonly tf.Variable[]): tf.Scalar {
    return minimizeWith(this, loss, variables);
  }

  async getSlots(): Promise<OptimizerSlots> {
    return {
      iterations: this.iterations,
      slots: this.buffers.map((tensor, i) => ({
        name: this.slotNames[i] ?? `${i}/momentum`,
        tensor,
      })),
    };
  }

  async setSlots(state: OptimizerSlots): Promise<void> {
    if (this.buffers.length !== 0)
      fail('setSlots needs a fresh optimizer (this one has taken steps)');
    this.buffers = state.slots.map((s) => tf.tidy(() => s.tensor.clone().variable(false)));
    this.slotNames = state.slots.map((s) => s.name);
    this.iterations = state.iterations;
  }

  dispose(): void {
    tf.dispose(this.buffers);
    this.buffers = [];
  }
}

/**
 * Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019), written out
 * rather than taken from tf.train.adam for two reasons found in the tfjs 4.22
 * source: its learningRate is a protected field with no setter, and its
 * setWeights() rebuilds the β^t accumulators with pow() while training keeps a
 * running product, so a resumed run need not be bit-identical to an
 * uninterrupted one. Here the bias corrections are computed from the integer
 * step count alone, so (slots, iterations) is the complete state.
 *
 *   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   w ← w − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε) − lr·wd·w      (wd = 0 for plain Adam)
 *
 * The decay term uses the pre-step w, as in the paper's Algorithm 2 and
 * PyTorch's AdamW (w·(1 − lr·wd) first, then the Adam step).
 *
 * On the wasm backend the step runs as one loop over the heap (heap-variables.ts), with the
 * same bits as the tensor ops below, which every other backend runs.
 */
class AdamOptimizer implements TrainingOptimizer {
  private lr: number;
  private iterations = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private m: tf.Variable[] = [];
  private v: tf.Variable[] = [];
  private slotNames: string[] = [];

  constructor(
    readonly config: Extract<OptimizerConfig, { name: 'adam' | 'adamw' }>,
    learningRate: number,
  ) {
    this.lr = learningRate;
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.epsilon = config.epsilon ?? DEFAULT_ADAM_EPSILON;
    this.weightDecay = config.name === 'adamw' ? config.weightDecay : 0;
  }

  get learningRate(): number {
    return this.lr;
  }

  setLearningRate(learningRate: number): void {
    checkLearningRate(learningRate);
    this.lr = learningRate;
  }

  private ensureSlots(variables: readonly tf.Variable[]): void {
    if (this.m.length === variables.length) return;
    if (this.m.length !== 0) fail('applyGradients called with a different variable list');
    this.m = variables.map((x) => tf.tidy(() => tf.zerosLike(x).variable(false)));
    this.v = variables.map((x) => tf.tidy(() => tf.zerosLike(x).variable(false)));
    this.slotNames = variables.map((x) => x.name);
  }

  applyGradients(variables: readonly tf.Variable[], gradients: readonly tf.Tensor[]): void {
    this.ensureSlots(variables);
    const t = this.iterations + 1;
    const { beta1, beta2, epsilon, lr } = this;
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    const onHeap = adamOnHeap(variables, gradients, this.m, this.v, variables.map(isDecayed), {
      learningRate: lr,
      beta1,
      beta2,
      epsilon,
      biasCorrection1: bc1,
      biasCorrection2: bc2,
      weightDecay: this.weightDecay,
    });
    if (onHeap) {
      this.iterations = t;
      return;
    }
    tf.tidy(() => {
      variables.forEach((w, i) => {
        const g = gradients[i] ?? fail(`missing gradient for variable ${w.name}`);
        const m = this.m[i] ?? fail('slot m missing');
        const v = this.v[i] ?? fail('slot v missing');
        const newM = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const newV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const stepDir = tf.div(tf.div(newM, bc1), tf.add(tf.sqrt(tf.div(newV, bc2)), epsilon));
        let newW = tf.sub(w, tf.mul(stepDir, lr));
        if (this.weightDecay > 0 && isDecayed(w))
          newW = tf.sub(newW, tf.mul(w, lr * this.weightDecay));
        m.assign(newM);
        v.assign(newV);
        w.assign(newW);
      });
    });
    this.iterations = t;
  }

  minimize(loss: () => tf.Scalar, variables: readonly tf.Variable[]): tf.Scalar {
    return minimizeWith(this, loss, variables);
  }

  async getSlots(): Promise<OptimizerSlots> {
    // Same order and naming as tfjs Adam's getWeights(): all m, then all v.
    return {
      iterations: this.iterations,
      slots: [
        ...this.m.map((tensor, i) => ({ name: `${this.slotNames[i] ?? i}/m`, tensor })),
        ...this.v.map((tensor, i) => ({ name: `${this.slotNames[i] ?? i}/v`, tensor })),
      ],
    };
  }

  async setSlots(state: OptimizerSlots): Promise<void> {
    if (this.m.length !== 0) fail('setSlots needs a fresh optimizer (this one has taken steps)');
    if (state.slots.length % 2 !== 0)
      fail(`adam expects an even slot count, got ${state.slots.length}`);
    const half = state.slots.length / 2;
    const copy = (s: NamedSlot): tf.Variable => tf.tidy(() => s.tensor.clone().variable(false));
    this.m = state.slots.slice(0, half).map(copy);
    this.v = state.slots.slice(half).map(copy);
    this.slotNames = state.slots.slice(0, half).map((s) => s.name.replace(/\/m$/, ''));
    this.iterations = state.iterations;
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
    this.m = [];
    this.v = [];
  }
}

export function createOptimizer(config: OptimizerConfig, learningRate: number): TrainingOptimizer {
  validateOptimizerConfig(config);
  checkLearningRate(learningRate);
  return config.name === 'sgd'
    ? new SgdOptimizer(config, learningRate)
    : new AdamOptimizer(config, learningRate);
}
