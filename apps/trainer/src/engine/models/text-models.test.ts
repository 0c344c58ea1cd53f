import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidModelOptionError, UnsupportedInputShapeError } from './architecture-errors.ts';
import { buildBiGru } from './bigru.ts';
import { weightsDigest } from './initial-weights.test-support.ts';
import { StepDropout, setDropoutStep } from './step-dropout.layer.ts';
import { trainableParameterCount } from './trainable-parameter-count.ts';
import { buildTransformerEncoder } from './transformer-encoder.ts';

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

// Two right-padded sequences of length 6 (0 = padding).
const tokens = () =>
  tf.tensor2d(
    [
      [5, 3, 9, 0, 0, 0],
      [1, 2, 3, 4, 5, 6],
    ],
    [2, 6],
    'int32',
  );

describe('buildTransformerEncoder', () => {
  const opts = { inputShape: [6], numClasses: 3, seed: 1, vocabSize: 20 };

  it('has the hand-counted parameters with the defaults (d 64, 4 heads, 2 layers, ff 128)', () => {
    const d = 64;
    const ff = 128;
    const layerNorm = 2 * d;
    const block = 4 * (d * d + d) + layerNorm + (d * ff + ff) + (ff * d + d) + layerNorm;
    const hand = 20 * d + 6 * d + layerNorm + 2 * block + (d * 3 + 3);
    expect(trainableParameterCount(track(buildTransformerEncoder(opts)))).toBe(hand);
  });

  it('maps [2, 6] int32 tokens to [2, 3] finite logits, for mean and cls pooling', () => {
    for (const pooling of ['mean', 'cls'] as const) {
      const m = track(buildTransformerEncoder({ ...opts, pooling }));
      const x = tokens();
      const y = m.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, 3]);
      expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([x, y]);
    }
  });

  it('ignores padding: a sequence’s logits do not depend on its batch mates', () => {
    // With masking, row 0 alone and row 0 next to another row give the same logits.
    const m = track(buildTransformerEncoder(opts));
    const both = tokens();
    const alone = tf.tensor2d([[5, 3, 9, 0, 0, 0]], [1, 6], 'int32');
    const a = (m.predict(both) as tf.Tensor).arraySync() as number[][];
    const b = (m.predict(alone) as tf.Tensor).arraySync() as number[][];
    expect(b[0]?.map((v, i) => Math.abs(v - (a[0]?.[i] ?? Number.NaN)) < 1e-5)).toEqual([
      true,
      true,
      true,
    ]);
    tf.dispose([both, alone]);
  });

  it('can take a gradient step', () => {
    const m = track(buildTransformerEncoder(opts));
    m.compile({ optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy' });
    const x = tokens();
    const y = tf.tensor1d([0, 2], 'float32');
    const before = weightsDigest(m);
    // trainOnBatch with logits through sparse CE is enough to exercise every gradient path.
    return m.trainOnBatch(x, y).then(() => {
      expect(weightsDigest(m)).not.toBe(before);
      tf.dispose([x, y]);
    });
  });

  it('is seed-deterministic and validates its options', () => {
    expect(weightsDigest(track(buildTransformerEncoder(opts)))).toBe(
      weightsDigest(track(buildTransformerEncoder(opts))),
    );
    expect(weightsDigest(track(buildTransformerEncoder({ ...opts, seed: 2 })))).not.toBe(
      weightsDigest(track(buildTransformerEncoder(opts))),
    );
    expect(() => buildTransformerEncoder({ ...opts, dModel: 30 })).toThrow(InvalidModelOptionError);
    expect(() => buildTransformerEncoder({ ...opts, inputShape: [6, 2] })).toThrow(
      UnsupportedInputShapeError,
    );
  });
});

describe('StepDropout (the transformer\u2019s dropout)', () => {
  const mask = (layer: StepDropout, training: boolean) =>
    tf.tidy(() => {
      const out = layer.apply(tf.ones([4, 64]), { training });
      if (!(out instanceof tf.Tensor)) throw new Error('expected a tensor');
      return Array.from(out.dataSync());
    });

  it('draws a new mask every step, the same one for the same (seed, step), none in inference', () => {
    const layer = new StepDropout({ rate: 0.5, seed: 7 });
    const step0 = mask(layer, true);
    const step1 = mask(layer, true);
    // Kept units are scaled by 1 / (1 - rate); tfjs's seeded Dropout would repeat step0 here.
    expect(new Set(step0)).toEqual(new Set([0, 2]));
    expect(step1).not.toEqual(step0);
    layer.step = 0;
    expect(mask(layer, true)).toEqual(step0);
    expect(mask(new StepDropout({ rate: 0.5, seed: 8 }), true)).not.toEqual(step0);
    expect(mask(layer, false)).toEqual(new Array(256).fill(1));
  });

  it('is what the transformer uses, and setDropoutStep reaches every instance', () => {
    const m = track(
      buildTransformerEncoder({ inputShape: [6], numClasses: 3, seed: 1, vocabSize: 20 }),
    );
    const dropouts = m.layers.filter((l): l is StepDropout => l instanceof StepDropout);
    // Embeddings, then attention and feed-forward in each of the 2 blocks.
    expect(dropouts).toHaveLength(5);
    setDropoutStep(m, 42);
    expect(dropouts.map((l) => l.step)).toEqual([42, 42, 42, 42, 42]);
  });
});

describe('buildBiGru', () => {
  const opts = { inputShape: [6], numClasses: 3, seed: 1, vocabSize: 20 };

  it('has the hand-counted parameters (tfjs GRU: 3 gates of kernel + recurrent kernel + bias)', () => {
    const e = 64;
    const u = 64;
    const gru = 3 * (e * u + u * u + u);
    expect(trainableParameterCount(track(buildBiGru(opts)))).toBe(
      20 * e + 2 * gru + (2 * u * 3 + 3),
    );
  });

  it('maps [2, 6] int32 tokens to [2, 3] finite logits', () => {
    const m = track(buildBiGru(opts));
    const x = tokens();
    const y = m.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
  });

  it('starts the two directions from different weights, deterministically per seed', () => {
    const m = track(buildBiGru(opts));
    const kernels = m.trainableWeights.filter(
      (w) => w.name.endsWith('/kernel') && w.shape.join() === '64,192',
    );
    expect(kernels).toHaveLength(2);
    const [fw, bw] = kernels.map((k) => Array.from(k.read().dataSync().slice(0, 8)));
    expect(fw).not.toEqual(bw);
    expect(weightsDigest(track(buildBiGru(opts)))).toBe(weightsDigest(m));
    expect(weightsDigest(track(buildBiGru({ ...opts, seed: 2 })))).not.toBe(weightsDigest(m));
  });

  it('requires a vocabulary size', () => {
    expect(() => buildBiGru({ ...opts, vocabSize: 1 })).toThrow(InvalidModelOptionError);
  });
});
