import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { setHeapSimd } from '../kernels/wasm-heap-module.ts';
import { movingAverageOnHeap, setHeapVariableUpdates } from './heap-variables.ts';
import { createOptimizer, type OptimizerConfig } from './optimizers.ts';

/** Deterministic values spread over several orders of magnitude, both signs, with ±0. */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    if (i % 17 === 0) return i % 34 === 0 ? 0 : -0;
    return ((s / 2 ** 32 - 0.5) * 10 ** ((s % 7) - 4)) as number;
  });
}

/** A tensor's values as their float32 bit patterns (so −0 and +0 differ). */
const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));

/**
 * The bits of the variables' values, and the optimizer's slots, after `steps` steps; the last at
 * learning rate 0 (decay by lr·wd = 0 still turns −0 into +0 in the tensor ops). `shared`: a
 * clone of every variable and slot is held across each step.
 */
async function train(config: OptimizerConfig, steps: number, shared: boolean) {
  // Sizes that are and are not multiples of 4 (the SIMD pass's tail), a rank-1 (undecayed) one.
  const shapes = [[3, 5], [7], [4, 4], [1]];
  // In a tidy, so that the initial tensors go and each variable alone holds its buffer.
  const variables = shapes.map((shape, i) =>
    tf.tidy(() => tf.variable(tf.tensor(values(tf.util.sizeFromShape(shape), 10 + i), shape))),
  );
  const buffers = variables.map((v) => v.dataId);
  let slotBuffers: object[] = [];
  const optimizer = createOptimizer(config, 0.01);
  const snapshots: tf.Tensor[] = [];
  for (let step = 0; step < steps; step++) {
    const gradients = variables.map((v, i) => tf.tensor(values(v.size, 100 * step + i), v.shape));
    // A clone shares the buffer (wasm-identity.ts): the update must not write into it.
    if (shared) {
      const { slots } = await optimizer.getSlots();
      snapshots.push(...variables.map((v) => v.clone()), ...slots.map((x) => x.tensor.clone()));
    }
    optimizer.setLearningRate(step === steps - 1 ? 0 : 0.01 / (step + 1));
    optimizer.applyGradients(variables, gradients);
    tf.dispose(gradients);
    if (step === 0) slotBuffers = (await optimizer.getSlots()).slots.map((s) => s.tensor.dataId);
  }
  const { slots } = await optimizer.getSlots();
  const out = {
    /** Whether each variable (slot) still has the buffer it started with (after step 1). */
    inPlace: variables.map((v, i) => v.dataId === buffers[i]),
    slotsInPlace: slots.map((s, i) => s.tensor.dataId === slotBuffers[i]),
    weights: variables.map(bits),
    slots: slots.map((s) => bits(s.tensor)),
    snapshots: snapshots.map(bits),
  };
  optimizer.dispose();
  tf.dispose([...variables, ...snapshots]);
  return out;
}

describe('variable updates on the wasm heap', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterEach(() => {
    setHeapVariableUpdates(true);
    setHeapSimd(true);
  });

  for (const config of [
    { name: 'adam' },
    { name: 'adamw', weightDecay: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-8 },
    { name: 'sgd', momentum: 0.9, weightDecay: 0.01 },
    { name: 'sgd', momentum: 0.8, nesterov: true },
  ] as const) {
    it(`${JSON.stringify(config)}: the same bits as the tensor ops, in place and into fresh buffers`, async () => {
      const before = tf.memory().numTensors;
      const heap = await train(config, 6, false);
      const heapShared = await train(config, 6, true);
      setHeapVariableUpdates(false);
      const ops = await train(config, 6, false);
      const opsShared = await train(config, 6, true);
      expect(heap.weights).toEqual(ops.weights);
      expect(heap.slots).toEqual(ops.slots);
      expect(heapShared.weights).toEqual(ops.weights);
      // The clones kept the values from before each step, as with Variable.assign.
      expect(heapShared.snapshots).toEqual(opsShared.snapshots);
      expect(heap.weights.flat().some((b) => b !== 0)).toBe(true);
      // Weights get fresh buffers (XNNPACK caches packed weights by buffer); the moments, which
      // the optimizer alone reads, are overwritten in place.
      expect([...heap.inPlace, ...heapShared.inPlace]).not.toContain(true);
      expect(heap.slotsInPlace).not.toContain(false);
      expect(heapShared.slotsInPlace).not.toContain(true);
      expect(ops.slotsInPlace).not.toContain(true);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('a model trained through it predicts as one trained through tensor ops (no stale packed weights)', () => {
    // XNNPACK's convolution and dense kernels keep weights packed by buffer: a weight changed in
    // place would go on predicting with its old values.
    const predict = () => {
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [6, 6, 2],
            filters: 4,
            kernelSize: 3,
            kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
          }),
          tf.layers.flatten(),
          tf.layers.dense({
            units: 3,
            kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }),
          }),
        ],
      });
      const x = tf.tensor4d(values(2 * 6 * 6 * 2, 7), [2, 6, 6, 2]);
      const y = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const optimizer = createOptimizer({ name: 'adam' }, 0.05);
      const outputs: number[][] = [];
      for (let step = 0; step < 3; step++) {
        tf.dispose(
          optimizer.minimize(
            () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar,
            variables,
          ),
        );
        outputs.push(Array.from((model.predict(x) as tf.Tensor).dataSync()));
      }
      optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
      return outputs;
    };
    const heap = predict();
    setHeapVariableUpdates(false);
    const ops = predict();
    expect(heap).toEqual(ops);
    expect(heap[2]).not.toEqual(heap[0]);
  });

  for (const nesterov of [false, true]) {
    it(`SGD (nesterov ${nesterov}) has the bits and slot names of tfjs's MomentumOptimizer`, async () => {
      // Unnamed: tfjs registers variables by name, and there are two sets.
      const make = () => [
        tf.tidy(() => tf.variable(tf.tensor2d(values(15, 1), [3, 5]))),
        tf.tidy(() => tf.variable(tf.tensor1d(values(7, 2)))),
      ];
      const ours = make();
      const theirs = make();
      const optimizer = createOptimizer({ name: 'sgd', momentum: 0.9, nesterov }, 0.05);
      const reference = tf.train.momentum(0.05, 0.9, nesterov);
      for (let step = 0; step < 4; step++) {
        const gradients = ours.map((v, i) => tf.tensor(values(v.size, 30 * step + i), v.shape));
        optimizer.applyGradients(ours, gradients);
        reference.applyGradients(
          theirs.map((v, i) => ({ name: v.name, tensor: gradients[i] as tf.Tensor })),
        );
        tf.dispose(gradients);
      }
      expect(ours.map(bits)).toEqual(theirs.map(bits));
      const { iterations, slots } = await optimizer.getSlots();
      const [iter, ...referenceSlots] = await reference.getWeights();
      expect(iterations).toBe(iter?.tensor.dataSync()[0]);
      expect(slots.map((x) => x.name)).toEqual(ours.map((v) => `${v.name}/momentum`));
      expect(referenceSlots.map((x) => x.name)).toEqual(theirs.map((v) => `${v.name}/momentum`));
      expect(slots.map((x) => bits(x.tensor))).toEqual(referenceSlots.map((x) => bits(x.tensor)));
      optimizer.dispose();
      reference.dispose();
      tf.dispose([...ours, ...theirs, iter?.tensor as tf.Tensor]);
    });
  }

  it('refuses slots of the wrong size before writing anything (a restored checkpoint)', async () => {
    const w = tf.tidy(() => tf.variable(tf.tensor1d(values(8, 1))));
    const before = bits(w);
    const short = tf.zeros([3]);
    const optimizer = createOptimizer({ name: 'adam' }, 0.1);
    await optimizer.setSlots({
      iterations: 1,
      slots: [
        { name: 'w/m', tensor: short },
        { name: 'w/v', tensor: short },
      ],
    });
    const g = tf.ones([8]);
    expect(() => optimizer.applyGradients([w], [g])).toThrow(
      /the m of variable .* has 3 values, not 8/,
    );
    expect(bits(w)).toEqual(before);
    optimizer.dispose();
    tf.dispose([w, short, g]);
  });

  it('Adam without WebAssembly SIMD runs as tensor ops, with the same bits', async () => {
    const heap = await train({ name: 'adam' }, 3, false);
    setHeapSimd(false);
    const ops = await train({ name: 'adam' }, 3, false);
    expect(ops.weights).toEqual(heap.weights);
  });

  it('the moving average has the bits of tfjs-layers’ tensor ops', () => {
    const start = values(37, 5);
    const batch = values(37, 6);
    const heapVar = tf.tidy(() => tf.variable(tf.tensor1d(start)));
    const opsVar = tf.tidy(() => tf.variable(tf.tensor1d(start)));
    const value = tf.tensor1d(batch);
    for (let i = 0; i < 4; i++) {
      expect(movingAverageOnHeap(heapVar, value, 0.9)).toBe(true);
      tf.tidy(() => {
        opsVar.assign(tf.sub(opsVar, tf.mul(tf.sub(opsVar, value), 1 - 0.9)));
      });
    }
    expect(new Uint32Array(heapVar.dataSync().buffer)).toEqual(
      new Uint32Array(opsVar.dataSync().buffer),
    );
    tf.dispose([heapVar, opsVar, value]);
  });
});
