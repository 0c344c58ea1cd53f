import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedInputShapeError } from './architecture-errors.ts';
import { weightsDigest } from './initial-weights.test-support.ts';
import { buildResNet, type ResNetDepth } from './resnet.ts';
import { trainableParameterCount } from './trainable-parameter-count.ts';

// torchvision: sum(p.numel() for p in resnet{18,34,50}().parameters()), 1000 classes.
const torchvision: Record<ResNetDepth, number> = { 18: 11_689_512, 34: 21_797_672, 50: 25_557_032 };

/** Hand count: bias-free convs, BN gamma+beta, 1×1 projection + BN where the shape changes, fc with bias. */
function handCount(depth: ResNetDepth, numClasses: number, stemKernel: number): number {
  const conv = (k: number, cin: number, cout: number) => k * k * cin * cout;
  const bn = (c: number) => 2 * c;
  const stages = depth === 18 ? [2, 2, 2, 2] : [3, 4, 6, 3];
  let total = conv(stemKernel, 3, 64) + bn(64);
  let cin = 64;
  for (const [s, blocks] of stages.entries()) {
    const w = 64 * 2 ** s;
    const cout = depth === 50 ? 4 * w : w;
    for (let b = 0; b < blocks; b++) {
      total +=
        depth === 50
          ? conv(1, cin, w) + bn(w) + conv(3, w, w) + bn(w) + conv(1, w, cout) + bn(cout)
          : conv(3, cin, w) + bn(w) + conv(3, w, w) + bn(w);
      if (cin !== cout || (s > 0 && b === 0)) total += conv(1, cin, cout) + bn(cout);
      cin = cout;
    }
  }
  return total + cin * numClasses + numClasses;
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

describe('buildResNet', () => {
  it('hand formula reproduces the torchvision counts', () => {
    for (const depth of [18, 34, 50] as const)
      expect(handCount(depth, 1000, 7)).toBe(torchvision[depth]);
  });

  it.each([18, 34, 50] as const)(
    'ResNet-%i at 224 px has torchvision’s trainable parameter count',
    (depth) => {
      const m = track(buildResNet({ depth, inputShape: [224, 224, 3], numClasses: 1000, seed: 1 }));
      expect(trainableParameterCount(m)).toBe(torchvision[depth]);
      expect(m.outputs[0]?.shape).toEqual([null, 1000]);
    },
  );

  it('the 3×3 stem of the 32/64 px variants changes only the stem count', () => {
    const m = track(buildResNet({ depth: 18, inputShape: [64, 64, 3], numClasses: 200, seed: 1 }));
    expect(trainableParameterCount(m)).toBe(handCount(18, 200, 3));
  });

  it('keeps torchvision’s spatial schedule: 224 → 7×7 before pooling, 32 → 4×4', () => {
    const at = (size: number) => {
      const m = track(
        buildResNet({ depth: 18, inputShape: [size, size, 3], numClasses: 10, seed: 1 }),
      );
      const pool = m.layers.find((l) => l.getClassName() === 'GlobalAveragePooling2D');
      const input = pool?.input;
      return input instanceof tf.SymbolicTensor ? input.shape : undefined;
    };
    expect(at(224)).toEqual([null, 7, 7, 512]);
    expect(at(64)).toEqual([null, 8, 8, 512]);
    expect(at(32)).toEqual([null, 4, 4, 512]);
  });

  it('ResNet-18 at 32 px maps a batch of 1 to [1, 10] finite logits', () => {
    const m = track(buildResNet({ depth: 18, inputShape: [32, 32, 3], numClasses: 10, seed: 1 }));
    const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 7);
    const y = m.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 10]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
  });

  it.each([34, 50] as const)('ResNet-%i at 32 px maps a batch of 1 to [1, 10] logits', (depth) => {
    const m = track(buildResNet({ depth, inputShape: [32, 32, 3], numClasses: 10, seed: 1 }));
    const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 7);
    const y = m.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 10]);
    tf.dispose([x, y]);
  });

  it('same seed gives identical initial weights', () => {
    const build = (seed: number) =>
      track(buildResNet({ depth: 18, inputShape: [32, 32, 3], numClasses: 10, seed }));
    const a = weightsDigest(build(5));
    expect(weightsDigest(build(5))).toEqual(a);
    expect(weightsDigest(build(6))).not.toEqual(a);
  });

  it('rejects sizes without a defined stem', () => {
    expect(() =>
      buildResNet({ depth: 50, inputShape: [100, 100, 3], numClasses: 10, seed: 1 }),
    ).toThrow(UnsupportedInputShapeError);
  });
});
