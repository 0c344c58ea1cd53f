import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { buildModel } from '../models/toy-cnn.ts';
import {
  assertCheckpointMatches,
  type CheckpointIdentity,
  readCheckpoint,
  restoreCheckpoint,
  saveCheckpoint,
} from './checkpoint.ts';
import { createOptimizer, type TrainingOptimizer } from './optimizers.ts';

const identity: CheckpointIdentity = {
  architecture: 'toy-cnn-student',
  inputShape: [8, 8, 3],
  numClasses: 3,
  seed: 1,
  optimizer: 'adamw',
};

function trainable(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => {
    const v = w.read();
    if (!(v instanceof tf.Variable)) throw new Error('not a variable');
    return v;
  });
}

/** One deterministic training step on fixed data. */
function step(model: tf.LayersModel, opt: TrainingOptimizer): void {
  tf.tidy(() => {
    const x = tf.linspace(0, 1, 4 * 8 * 8 * 3).reshape([4, 8, 8, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    opt
      .minimize(() => {
        const out = model.apply(x, { training: true });
        if (!(out instanceof tf.Tensor)) throw new Error('one output expected');
        return tf.losses.softmaxCrossEntropy(y, out);
      }, trainable(model))
      .dispose();
  });
}

function snapshot(tensors: readonly tf.Tensor[]): number[][] {
  return tensors.map((t) => Array.from(t.dataSync()));
}

describe('checkpoint', () => {
  let dir = '';

  beforeAll(async () => {
    await initBackend('cpu');
    dir = await mkdtemp(path.join(tmpdir(), 'kdlens-ckpt-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips weights, optimizer slots and iteration count exactly', async () => {
    const model = buildModel('toy-cnn-student', { imageSize: 8, numClasses: 3, seed: 1 });
    const opt = createOptimizer({ name: 'adamw', weightDecay: 0.01 }, 0.01);
    step(model, opt);
    step(model, opt);
    await saveCheckpoint(dir, identity, { epoch: 1, step: 2 }, model, opt);
    await saveCheckpoint(dir, identity, { epoch: 2, step: 4 }, model, opt);
    // Only the latest data file survives, and no temp files are left behind.
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'state-e2.bin']);

    const ckpt = await readCheckpoint(dir);
    if (ckpt === undefined) throw new Error('checkpoint missing');
    expect(ckpt.manifest).toMatchObject({ epoch: 2, step: 4, optimizerIterations: 2 });
    // A differently seeded model proves the weights really come from the file.
    const fresh = buildModel('toy-cnn-student', { imageSize: 8, numClasses: 3, seed: 99 });
    const freshOpt = createOptimizer({ name: 'adamw', weightDecay: 0.01 }, 0.01);
    await restoreCheckpoint(ckpt, fresh, freshOpt);
    expect(snapshot(fresh.getWeights())).toEqual(snapshot(model.getWeights()));
    const [a, b] = [await opt.getSlots(), await freshOpt.getSlots()];
    expect(b.iterations).toBe(2);
    expect(b.slots.map((s) => s.name)).toEqual(a.slots.map((s) => s.name));
    expect(snapshot(b.slots.map((s) => s.tensor))).toEqual(snapshot(a.slots.map((s) => s.tensor)));

    // The restored state is complete: one more step stays bit-identical.
    step(model, opt);
    step(fresh, freshOpt);
    expect(snapshot(fresh.getWeights())).toEqual(snapshot(model.getWeights()));
    for (const o of [opt, freshOpt]) o.dispose();
    for (const m of [model, fresh]) m.dispose();
  });

  it('round-trips SGD momentum buffers', async () => {
    const sgdDir = path.join(dir, 'sgd');
    await mkdir(sgdDir);
    const sgdId = { ...identity, optimizer: 'sgd' } as const;
    const model = buildModel('toy-cnn-student', { imageSize: 8, numClasses: 3, seed: 1 });
    const opt = createOptimizer({ name: 'sgd', nesterov: true, weightDecay: 5e-4 }, 0.1);
    step(model, opt);
    await saveCheckpoint(sgdDir, sgdId, { epoch: 1, step: 1 }, model, opt);
    const ckpt = await readCheckpoint(sgdDir);
    if (ckpt === undefined) throw new Error('checkpoint missing');
    const fresh = buildModel('toy-cnn-student', { imageSize: 8, numClasses: 3, seed: 5 });
    const freshOpt = createOptimizer({ name: 'sgd', nesterov: true, weightDecay: 5e-4 }, 0.1);
    await restoreCheckpoint(ckpt, fresh, freshOpt);
    step(model, opt);
    step(fresh, freshOpt);
    expect(snapshot(fresh.getWeights())).toEqual(snapshot(model.getWeights()));
    for (const o of [opt, freshOpt]) o.dispose();
    for (const m of [model, fresh]) m.dispose();
  });

  it('names both runs when the checkpoint belongs to another one', async () => {
    const ckpt = await readCheckpoint(dir);
    if (ckpt === undefined) throw new Error('checkpoint missing');
    expect(() =>
      assertCheckpointMatches(ckpt, { ...identity, architecture: 'toy-cnn-teacher' }),
    ).toThrow(
      `checkpoint ${dir} is for toy-cnn-student 8×8×3 (3 classes, seed 1, adamw), this run is toy-cnn-teacher 8×8×3`,
    );
    expect(() => assertCheckpointMatches(ckpt, { ...identity, inputShape: [16, 16, 3] })).toThrow(
      /this run is toy-cnn-student 16×16×3/,
    );
    expect(() => assertCheckpointMatches(ckpt, identity)).not.toThrow();

    // Even without the identity check, restoring into other shapes fails before any change.
    const other = buildModel('toy-cnn-student', { imageSize: 16, numClasses: 3, seed: 1 });
    const opt = createOptimizer({ name: 'adamw', weightDecay: 0.01 }, 0.01);
    const before = tf.memory().numTensors;
    await expect(restoreCheckpoint(ckpt, other, opt)).rejects.toThrow(/has shape .* expects/);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    other.dispose();
  });

  it('reports a directory without a checkpoint as undefined', async () => {
    expect(await readCheckpoint(path.join(dir, 'nothing-here'))).toBeUndefined();
  });
});
