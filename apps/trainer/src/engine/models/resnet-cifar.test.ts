import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedInputShapeError } from './architecture-errors.ts';
import { weightsDigest } from './initial-weights.test-support.ts';
import { buildResNetCifar, resnetCifarDepths } from './resnet-cifar.ts';
import { trainableParameterCount } from './trainable-parameter-count.ts';
import { ZeroPadShortcut } from './zero-pad-shortcut.layer.ts';

/**
 * He et al. (2016) CIFAR ResNet with option A, counted by hand: 3×3 conv weights c_in·c_out·9,
 * BN 2 per channel (gamma, beta), no conv bias, dense 64·k + k, shortcuts parameter-free.
 */
function handCount(depth: number, numClasses: number, inChannels = 3): number {
  const n = (depth - 2) / 6;
  const conv = (cin: number, cout: number) => 9 * cin * cout;
  const bn = (c: number) => 2 * c;
  const block = (cin: number, cout: number) =>
    conv(cin, cout) + bn(cout) + conv(cout, cout) + bn(cout);
  const stem = conv(inChannels, 16) + bn(16);
  const stage1 = n * block(16, 16);
  const stage2 = block(16, 32) + (n - 1) * block(32, 32);
  const stage3 = block(32, 64) + (n - 1) * block(64, 64);
  return stem + stage1 + stage2 + stage3 + 64 * numClasses + numClasses;
}

let models: tf.LayersModel[] = [];
const track = (m: tf.LayersModel) => {
  models.push(m);
  return m;
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  for (const m of models) m.dispose();
  models = [];
});

describe('buildResNetCifar', () => {
  it('hand formula agrees with the published sizes 0.27M / 0.46M / 0.85M / 1.7M (Table 6)', () => {
    const published = { 20: 0.27e6, 32: 0.46e6, 56: 0.85e6, 110: 1.7e6 };
    for (const depth of resnetCifarDepths) {
      const count = handCount(depth, 10);
      const digits = depth === 110 ? 1e5 : 1e4;
      expect(Math.round(count / digits) * digits).toBe(published[depth]);
    }
    // The exact values also printed by the common PyTorch port (akamaster/pytorch_resnet_cifar10).
    expect([20, 32, 56, 110].map((d) => handCount(d, 10))).toEqual([
      269_722, 464_154, 853_018, 1_727_962,
    ]);
  });

  it.each(resnetCifarDepths)('ResNet-%i has the hand-counted trainable parameters', (depth) => {
    const m = track(buildResNetCifar({ depth, inputShape: [32, 32, 3], numClasses: 10, seed: 1 }));
    expect(trainableParameterCount(m)).toBe(handCount(depth, 10));
  });

  it('counts 100-class and 1-channel variants by the same formula', () => {
    const m = track(
      buildResNetCifar({ depth: 20, inputShape: [32, 32, 1], numClasses: 100, seed: 1 }),
    );
    expect(trainableParameterCount(m)).toBe(handCount(20, 100, 1));
  });

  it('ResNet-20 maps a batch of 2 to [2, 10] finite logits', () => {
    const m = track(
      buildResNetCifar({ depth: 20, inputShape: [32, 32, 3], numClasses: 10, seed: 1 }),
    );
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 7);
    const y = m.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 10]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
  });

  it('same seed gives identical initial weights, another seed different ones', () => {
    const build = (seed: number) =>
      track(buildResNetCifar({ depth: 20, inputShape: [32, 32, 3], numClasses: 10, seed }));
    const a = weightsDigest(build(3));
    expect(weightsDigest(build(3))).toEqual(a);
    expect(weightsDigest(build(4))).not.toEqual(a);
  });

  it('gives every conv its own seed (no two same-shaped kernels start equal)', () => {
    const m = track(
      buildResNetCifar({ depth: 20, inputShape: [32, 32, 3], numClasses: 10, seed: 1 }),
    );
    const kernels = m.trainableWeights.filter((w) => w.shape.join() === '3,3,16,16');
    const firsts = kernels.map((w) => w.read().dataSync()[0]);
    expect(new Set(firsts).size).toBe(kernels.length);
  });

  it('rejects inputs other than 32×32', () => {
    expect(() =>
      buildResNetCifar({ depth: 20, inputShape: [224, 224, 3], numClasses: 10, seed: 1 }),
    ).toThrow(UnsupportedInputShapeError);
  });
});

describe('ZeroPadShortcut (option A)', () => {
  it('takes x[:, ::2, ::2, :] and zero-pads channels half before, half after', () => {
    // 1×4×4×2 input with value = 100·row + 10·col + channel, so each entry is identifiable.
    const values = [];
    for (let r = 0; r < 4; r++)
      for (let c = 0; c < 4; c++) for (let ch = 0; ch < 2; ch++) values.push(100 * r + 10 * c + ch);
    const x = tf.tensor4d(values, [1, 4, 4, 2]);
    const layer = new ZeroPadShortcut({ outChannels: 4, strides: 2 });
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 2, 2, 4]);
    expect(y.arraySync()).toEqual([
      [
        [
          [0, 0, 1, 0],
          [0, 20, 21, 0],
        ],
        [
          [0, 200, 201, 0],
          [0, 220, 221, 0],
        ],
      ],
    ]);
    tf.dispose([x, y]);
  });
});
