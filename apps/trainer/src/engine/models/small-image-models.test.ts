import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidModelOptionError, UnsupportedInputShapeError } from './architecture-errors.ts';
import { buildArchitecture } from './index.ts';
import { weightsDigest } from './initial-weights.test-support.ts';
import { buildLeNet5 } from './lenet5.ts';
import { buildMlp } from './mlp.ts';
import { buildReferenceCnn } from './reference-cnn.ts';
import { trainableParameterCount } from './trainable-parameter-count.ts';

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

function forwardShape(m: tf.LayersModel, inputShape: number[]): number[] {
  return tf.tidy(
    () => (m.predict(tf.randomUniform(inputShape, 0, 1, 'float32', 3)) as tf.Tensor).shape,
  );
}

describe('buildLeNet5', () => {
  // conv (k·k·cin + 1)·cout, dense (in + 1)·out; 32 → 28 → 14 → 10 → 5, so 16·5·5 = 400 features.
  const hand = (cin: number, k: number) =>
    (25 * cin + 1) * 6 + (25 * 6 + 1) * 16 + (400 + 1) * 120 + (120 + 1) * 84 + (84 + 1) * k;

  it('has 61,706 parameters for 32×32×1 and 10 classes (and 62,006 for RGB)', () => {
    expect(hand(1, 10)).toBe(61_706);
    expect(
      trainableParameterCount(
        track(buildLeNet5({ inputShape: [32, 32, 1], numClasses: 10, seed: 1 })),
      ),
    ).toBe(61_706);
    expect(
      trainableParameterCount(
        track(buildLeNet5({ inputShape: [32, 32, 3], numClasses: 10, seed: 1 })),
      ),
    ).toBe(hand(3, 10));
  });

  it('maps [2, 32, 32, 3] to [2, 10] and is seed-deterministic', () => {
    const build = (seed: number) =>
      track(buildLeNet5({ inputShape: [32, 32, 3], numClasses: 10, seed }));
    const m = build(1);
    expect(forwardShape(m, [2, 32, 32, 3])).toEqual([2, 10]);
    expect(weightsDigest(build(1))).toBe(weightsDigest(m));
    expect(weightsDigest(build(2))).not.toBe(weightsDigest(m));
  });

  it('rejects images too small for two valid 5×5 convs', () => {
    expect(() => buildLeNet5({ inputShape: [8, 8, 1], numClasses: 10, seed: 1 })).toThrow(
      UnsupportedInputShapeError,
    );
  });
});

describe('buildMlp', () => {
  it('has (in+1)·256 + 257·128 + 129·k parameters with the default widths', () => {
    const m = track(buildMlp({ inputShape: [8, 8, 3], numClasses: 10, seed: 1 }));
    expect(trainableParameterCount(m)).toBe((192 + 1) * 256 + (256 + 1) * 128 + (128 + 1) * 10);
    expect(forwardShape(m, [3, 8, 8, 3])).toEqual([3, 10]);
  });

  it('honours custom hidden widths and rejects invalid ones', () => {
    const m = track(buildMlp({ inputShape: [4], numClasses: 2, seed: 1, hidden: [5] }));
    expect(trainableParameterCount(m)).toBe(5 * 5 + 6 * 2);
    expect(() => buildMlp({ inputShape: [4], numClasses: 2, seed: 1, hidden: [0] })).toThrow(
      InvalidModelOptionError,
    );
  });

  it('is seed-deterministic', () => {
    const build = (seed: number) => track(buildMlp({ inputShape: [16], numClasses: 3, seed }));
    expect(weightsDigest(build(9))).toBe(weightsDigest(build(9)));
    expect(weightsDigest(build(9))).not.toBe(weightsDigest(build(10)));
  });
});

describe('buildReferenceCnn', () => {
  it('has the hand-counted parameters for 32×32×3 and 10 classes', () => {
    // bias-free 3×3 convs, BN gamma+beta, dense 32·k + k.
    const hand = 27 * 16 + 32 + 144 * 16 + 32 + 144 * 32 + 64 + 288 * 32 + 64 + 32 * 10 + 10;
    expect(hand).toBe(17_082);
    const m = track(buildReferenceCnn({ inputShape: [32, 32, 3], numClasses: 10, seed: 1 }));
    expect(trainableParameterCount(m)).toBe(hand);
    expect(forwardShape(m, [2, 32, 32, 3])).toEqual([2, 10]);
  });

  it('takes its width from the spec options: 8 gives 8/16 channels, a quarter of the weights', () => {
    // The demo's student: the same layers with half the channels.
    const hand = 27 * 8 + 16 + 72 * 8 + 16 + 72 * 16 + 32 + 144 * 16 + 32 + 16 * 10 + 10;
    expect(hand).toBe(4_514);
    const m = track(
      buildArchitecture('reference-cnn', {
        inputShape: [16, 16, 3],
        numClasses: 10,
        seed: 1,
        width: 8,
      }),
    );
    expect(trainableParameterCount(m)).toBe(hand);
    expect(forwardShape(m, [2, 16, 16, 3])).toEqual([2, 10]);
  });

  it('is seed-deterministic', () => {
    const build = (seed: number) =>
      track(buildReferenceCnn({ inputShape: [32, 32, 3], numClasses: 10, seed }));
    expect(weightsDigest(build(4))).toBe(weightsDigest(build(4)));
    expect(weightsDigest(build(4))).not.toBe(weightsDigest(build(5)));
  });
});
