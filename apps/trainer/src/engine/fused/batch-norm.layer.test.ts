import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../random/rng.ts';
import { initBackend } from '../backend.ts';
import { setHeapSimd } from '../kernels/wasm-heap-module.ts';
import { BN_STATS } from './batch-norm.kernel-names.ts';
import { withFusedTraining } from './batch-norm.layer.ts';
import { batchNormSimdFor } from './batch-norm.simd.ts';
import { batchNormStats } from './batch-norm-stats.kernel.ts';

function randomArray(n: number, seed: number, offset = 0): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = offset + rng.uniform(-1, 1);
  return out;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

interface BnRun {
  y: Float32Array;
  dx: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
  /** The kernels the training step ran. */
  kernels: string[];
}

/**
 * One training-mode call of a BatchNormalization layer with non-trivial γ/β, and the
 * gradients of Σ(y ⊙ r) with respect to x, γ and β. On 'cpu' the stock tfjs-layers code is
 * the reference; `fused` wraps the same layer with withFusedTraining.
 */
async function bnOn(
  backend: 'wasm' | 'cpu',
  shape: number[],
  fused: boolean,
  offset: number,
  withRelu = false,
): Promise<BnRun> {
  await tf.setBackend(backend);
  const channels = shape[shape.length - 1] ?? 1;
  const bn = tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5 });
  // With a ReLU after it: a conv–BN–ReLU block, the ReLU fused into the BN when `fused`.
  const reluLayer = withRelu ? tf.layers.reLU() : undefined;
  if (fused) withFusedTraining(bn, reluLayer);
  const layer = {
    apply: (t: tf.Tensor, kwargs: { training: boolean }) => {
      const y = bn.apply(t, kwargs) as tf.Tensor;
      return reluLayer === undefined ? y : (reluLayer.apply(y, kwargs) as tf.Tensor);
    },
    build: (s: number[]) => bn.build(s),
    setWeights: (w: tf.Tensor[]) => bn.setWeights(w),
    getWeights: () => bn.getWeights(),
    get trainableWeights() {
      return bn.trainableWeights;
    },
    get weights() {
      return bn.weights;
    },
  };
  const x = tf.tensor(randomArray(size(shape), 1, offset), shape);
  layer.build(x.shape);
  const gamma = tf.tensor1d(randomArray(channels, 2, 1));
  const beta = tf.tensor1d(randomArray(channels, 3));
  layer.setWeights([gamma, beta, tf.zeros([channels]), tf.ones([channels])]);
  const r = tf.tensor(randomArray(size(shape), 4), shape);
  const [gammaVar, betaVar] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  if (gammaVar === undefined || betaVar === undefined) throw new Error('layer has no γ/β');
  let y: Float32Array = new Float32Array(0);
  let dx: Float32Array = new Float32Array(0);
  let grads: tf.NamedTensorMap = {};
  const profile = await tf.profile(() => {
    grads = tf.variableGrads(() => {
      const xv = tf.variable(x, true, 'bn-test-x');
      const out = layer.apply(xv, { training: true }) as tf.Tensor;
      y = out.dataSync() as Float32Array;
      const loss = tf.sum(tf.mul(out, r)) as tf.Scalar;
      dx = tf
        .grad((xi: tf.Tensor) =>
          tf.sum(tf.mul(layer.apply(xi, { training: true }) as tf.Tensor, r)),
        )(x)
        .dataSync() as Float32Array;
      xv.dispose();
      return loss;
    }, [gammaVar, betaVar]).grads;
  });
  const [, , movingMean, movingVariance] = layer.getWeights();
  const result: BnRun = {
    y,
    dx,
    dGamma: grads[gammaVar.name]?.dataSync() as Float32Array,
    dBeta: grads[betaVar.name]?.dataSync() as Float32Array,
    movingMean: movingMean?.dataSync() as Float32Array,
    movingVariance: movingVariance?.dataSync() as Float32Array,
    kernels: profile.kernels.map((k) => k.name),
  };
  tf.dispose([x, gamma, beta, r, ...Object.values(grads)]);
  for (const w of layer.weights) w.dispose();
  return result;
}

function expectClose(actual: Float32Array, expected: Float32Array, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let maxAbs = 0;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(expected[i] ?? 0));
    diff = Math.max(diff, Math.abs((expected[i] ?? 0) - (actual[i] ?? 0)));
  }
  expect(maxAbs).toBeGreaterThan(1e-3);
  expect(diff / Math.max(1, maxAbs)).toBeLessThan(tol);
}

const shapes: { shape: number[]; offset: number }[] = [
  // SIMD path (channels % 4 == 0), the reference CNN's first layer shape at a smaller batch.
  { shape: [8, 16, 16, 16], offset: 0 },
  // Channels not a multiple of 4 (TypeScript loops), odd spatial sizes, batch 3.
  { shape: [3, 5, 7, 6], offset: 0 },
  // Rank 2 (a dense layer's batch norm), channels % 4 == 0.
  { shape: [10, 8], offset: 0 },
  // SIMD path with 105 rows: six whole blocks of 16 and a last one of 9, whose odd row is alone.
  { shape: [3, 5, 7, 8], offset: 0 },
  // Mean far from zero relative to the spread: tests the centred sums.
  { shape: [4, 6, 6, 12], offset: 50 },
];

describe('fused training batch norm (wasm) vs stock tfjs-layers on cpu', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterEach(async () => {
    setHeapSimd(true);
    await tf.setBackend('wasm');
  });

  it.each(shapes)('matches for x $shape (offset $offset)', async ({ shape, offset }) => {
    const fused = await bnOn('wasm', shape, true, offset);
    const ref = await bnOn('cpu', shape, false, offset);
    expectClose(fused.y, ref.y, 1e-5);
    expectClose(fused.dx, ref.dx, offset === 0 ? 1e-4 : 2e-3);
    expectClose(fused.dGamma, ref.dGamma, 1e-4);
    expectClose(fused.dBeta, ref.dBeta, 1e-5);
    expectClose(fused.movingMean, ref.movingMean, 1e-5);
    expectClose(fused.movingVariance, ref.movingVariance, 1e-4);
  });

  it('matches with the TypeScript loops instead of SIMD', async () => {
    setHeapSimd(false);
    const fused = await bnOn('wasm', [4, 6, 5, 8], true, 0);
    setHeapSimd(true);
    const ref = await bnOn('cpu', [4, 6, 5, 8], false, 0);
    expectClose(fused.y, ref.y, 1e-5);
    expectClose(fused.dx, ref.dx, 1e-4);
    expectClose(fused.dGamma, ref.dGamma, 1e-4);
    expectClose(fused.dBeta, ref.dBeta, 1e-5);
  });

  it.each([
    { shape: [8, 16, 16, 16], simd: true },
    { shape: [3, 5, 7, 6], simd: true },
    { shape: [3, 5, 7, 8], simd: true },
    { shape: [4, 6, 5, 8], simd: false },
  ])(
    'matches BN followed by a ReLU with the ReLU fused, for x $shape (SIMD $simd)',
    async ({ shape, simd }) => {
      setHeapSimd(simd);
      const fused = await bnOn('wasm', shape, true, 0, true);
      setHeapSimd(true);
      const ref = await bnOn('cpu', shape, false, 0, true);
      // The ReLU zeroes about half the outputs, and their gradients.
      expect(ref.y.filter((v) => v === 0).length).toBeGreaterThan(ref.y.length / 4);
      expectClose(fused.y, ref.y, 1e-5);
      expectClose(fused.dx, ref.dx, 1e-4);
      expectClose(fused.dGamma, ref.dGamma, 1e-4);
      expectClose(fused.dBeta, ref.dBeta, 1e-5);
      expectClose(fused.movingMean, ref.movingMean, 1e-5);
      // One kernel forward and one backward: no Relu, no ReLU gradient.
      expect(fused.kernels.filter((k) => /relu/i.test(k))).toEqual([]);
      expect(ref.kernels.filter((k) => /relu/i.test(k)).length).toBeGreaterThan(0);
    },
  );

  it('leaves the ReLU to run as stock where the batch norm does not fuse (inference)', async () => {
    await tf.setBackend('wasm');
    const reluLayer = tf.layers.reLU();
    const bn = withFusedTraining(tf.layers.batchNormalization({}), reluLayer);
    const x = tf.tensor2d([
      [1, 2],
      [3, 5],
    ]);
    bn.build(x.shape);
    bn.setWeights([tf.ones([2]), tf.zeros([2]), tf.tensor1d([2, 4]), tf.ones([2])]);
    const y = reluLayer.apply(bn.apply(x, { training: false }), { training: false }) as tf.Tensor;
    // (x − moving mean)/√(1 + ε) with the layer's default ε = 0.001, then the ReLU.
    const out = Array.from(y.dataSync());
    const one = 1 / Math.sqrt(1.001);
    expect(out[0]).toBe(0);
    expect(out[1]).toBe(0);
    expect(out[2]).toBeCloseTo(one, 6);
    expect(out[3]).toBeCloseTo(one, 6);
    tf.dispose([x, y]);
    for (const w of bn.weights) w.dispose();
  });

  it('dβ is Σ dy and dγ is Σ dy·x̂ (hand check on 2 rows × 4 channels)', async () => {
    // Per channel, x = (a, −a) → μ = 0, σ² = a², x̂ = (1, −1)·a/√(a² + ε); with r = (1, 2):
    // dβ = 3, dγ = (1 − 2)·a/√(a² + ε) ≈ −1, and dx = γ/√(σ²+ε)·(r − 3/2 − x̂·dγ/2) ≈ 0.
    await tf.setBackend('wasm');
    const layer = withFusedTraining(tf.layers.batchNormalization({ epsilon: 1e-5 }));
    const a = [1, 2, 3, 4];
    const x = tf.tensor2d([a, a.map((v) => -v)]);
    const r = tf.tensor2d([
      [1, 1, 1, 1],
      [2, 2, 2, 2],
    ]);
    layer.build(x.shape);
    const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    if (gamma === undefined || beta === undefined) throw new Error('layer has no γ/β');
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, r)) as tf.Scalar,
      [gamma, beta],
    );
    expect(Array.from(grads[beta.name]?.dataSync() ?? [])).toEqual([3, 3, 3, 3]);
    const dg = Array.from(grads[gamma.name]?.dataSync() ?? []);
    for (const [i, v] of a.entries()) expect(dg[i]).toBeCloseTo(-v / Math.sqrt(v * v + 1e-5), 5);
    tf.dispose([x, r, ...Object.values(grads)]);
    for (const w of layer.weights) w.dispose();
  });

  it('leaves inference and other backends to the stock code', async () => {
    await tf.setBackend('cpu');
    const layer = withFusedTraining(tf.layers.batchNormalization({}));
    const x = tf.tensor2d([
      [1, 2],
      [3, 5],
    ]);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    // Stock training-mode output: ±1/√(1 + ε/σ²) per channel.
    const out = y.dataSync();
    expect(out[0]).toBeCloseTo(-1, 2);
    expect(out[3]).toBeCloseTo(1, 2);
    tf.dispose([x, y]);
    for (const w of layer.weights) w.dispose();
  });

  it.each([{ withRelu: false }, { withRelu: true }])(
    'does not leak tensors in a training step (ReLU fused: $withRelu)',
    async ({ withRelu }) => {
      await tf.setBackend('wasm');
      const reluLayer = withRelu ? tf.layers.reLU() : undefined;
      const layer = withFusedTraining(tf.layers.batchNormalization({}), reluLayer);
      const x = tf.randomNormal([4, 3, 3, 8]);
      layer.build(x.shape);
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const forward = () => {
        const y = layer.apply(x, { training: true }) as tf.Tensor;
        return reluLayer === undefined ? y : (reluLayer.apply(y, { training: true }) as tf.Tensor);
      };
      const step = () =>
        tf.tidy(() => {
          const { grads } = tf.variableGrads(() => tf.sum(forward()) as tf.Scalar, vars);
          return Object.values(grads);
        });
      tf.dispose(step());
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) tf.dispose(step());
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      for (const w of layer.weights) w.dispose();
    },
  );
});

describe('inference-mode batch norm (the FusedBatchNorm kernel) on wasm vs cpu', () => {
  afterEach(() => {
    setHeapSimd(true);
  });

  /** tf.batchNorm with [C] statistics (the override's case), or with [1, C] ones (not). */
  async function both(shape: number[], stats: 'vector' | 'matrix', seed: number) {
    const channels = shape[shape.length - 1] ?? 1;
    const run = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const vector = (s: number, offset = 0) => {
          const v = tf.tensor1d(randomArray(channels, s, offset));
          return stats === 'vector' ? v : v.reshape([1, channels]);
        };
        const x = tf.tensor(randomArray(size(shape), seed), shape);
        const mean = vector(seed + 1);
        const variance = vector(seed + 2, 1.5); // 0.5 to 2.5
        const offset = vector(seed + 3);
        const scale = vector(seed + 4);
        return tf.batchNorm(x, mean, variance, offset, scale, 1e-3).dataSync();
      });
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    let diff = 0;
    for (let i = 0; i < cpu.length; i++)
      diff = Math.max(diff, Math.abs((cpu[i] ?? 0) - (wasm[i] ?? 0)));
    return { diff, n: wasm.length };
  }

  it('takes the SIMD pass: (x − μ)·(γ/√(σ² + ε)) + β to the bit, unlike the package kernel', async () => {
    await initBackend('wasm');
    const shape = [3, 5, 5, 8];
    const x = randomArray(size(shape), 11);
    const [mean, variance, offset, scale] = [12, 13, 14, 15].map((seed, i) =>
      randomArray(8, seed, i === 1 ? 1.5 : 0),
    ) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const epsilon = 1e-3;
    const y = tf.tidy(() =>
      tf
        .batchNorm(
          tf.tensor(x, shape),
          tf.tensor1d(mean),
          tf.tensor1d(variance),
          tf.tensor1d(offset),
          tf.tensor1d(scale),
          epsilon,
        )
        .dataSync(),
    );
    const f = Math.fround;
    const expected = Float32Array.from(x, (xi, i) => {
      const c = i % 8;
      const s = f((scale[c] as number) / Math.sqrt((variance[c] as number) + epsilon));
      return f(f(f(xi - (mean[c] as number)) * s) + (offset[c] as number));
    });
    expect(Array.from(y)).toEqual(Array.from(expected));
  });

  it('matches cpu with the SIMD pass (C % 4 = 0), the TypeScript loop, and the package kernel', async () => {
    await initBackend('wasm');
    const simd = await both([5, 3, 3, 8], 'vector', 1);
    const loop = await both([5, 3, 3, 6], 'vector', 2);
    const original = await both([4, 2, 2, 8], 'matrix', 3);
    setHeapSimd(false);
    const noSimd = await both([5, 3, 3, 8], 'vector', 4);
    for (const r of [simd, loop, original, noSimd]) {
      expect(r.n).toBeGreaterThan(0);
      expect(r.diff).toBeLessThan(1e-5);
    }
  });
});

describe('batch statistics kernel (wasm SIMD) vs Float64 sums', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  // 1,003 rows of 8 channels around 1,000 (σ ≈ 0.58), the first 40 rows and a block in the
  // middle 20 higher: 62 blocks of 16 and a last one of 11, and rows far from the mean among
  // those the pivot is taken from.
  const rows = 1003;
  const channels = 8;
  const x = randomArray(rows * channels, 21, 1000);
  for (let r = 0; r < rows; r++) {
    if (r < 40 || (r >= 500 && r < 540)) {
      for (let c = 0; c < channels; c++) x[r * channels + c] = (x[r * channels + c] as number) + 20;
    }
  }
  const reference = batchNormStats(x, channels);

  it('gives the mean and variance of Float64 sums, away from zero and from the first rows', () => {
    // The SIMD pass, not the TypeScript loop that batchNormStats is.
    expect(batchNormSimdFor(tf.backend())).toBeDefined();
    const [mean, variance] = tf.tidy(() => {
      const [m, v] = tf
        .engine()
        .runKernel(BN_STATS, { x: tf.tensor2d(x, [rows, channels]) }, {}) as tf.Tensor[];
      return [m?.dataSync(), v?.dataSync()];
    });
    for (let c = 0; c < channels; c++) {
      const m = reference.mean[c] as number;
      const v = reference.variance[c] as number;
      expect(v).toBeGreaterThan(10);
      // float32 holds a mean near 1,000 to about 6e-5.
      expect(Math.abs((mean?.[c] as number) - m)).toBeLessThan(1.5e-4);
      expect(Math.abs((variance?.[c] as number) - v) / v).toBeLessThan(1e-5);
    }
  });
});
