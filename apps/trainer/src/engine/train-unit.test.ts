import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToyShapes, splitToyShapes } from '../datasets/toy-shapes.dataset.ts';
import { createRng } from '../random/rng.ts';
import { initBackend } from './backend.ts';
import { buildModel } from './models/toy-cnn.ts';
import {
  type TrainProgress,
  type TrainUnitOptions,
  teacherLogitsOn,
  trainUnit,
} from './train-unit.ts';
import { trainUntilStoppedAfterEpoch1 } from './training/interrupted-run.test-support.ts';

const data = splitToyShapes(generateToyShapes({ count: 600, seed: 11 }), 400);
const base = { data, batchSize: 32, learningRate: 0.01, seed: 1 } as const;

function snapshot(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

describe('trainUnit', () => {
  let teacher: tf.LayersModel | undefined;

  beforeAll(async () => {
    await initBackend('wasm');
  });

  afterAll(() => {
    teacher?.dispose();
  });

  it('trains a teacher well above chance, reports progress and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const progress: TrainProgress[] = [];
    const res = await trainUnit({
      ...base,
      role: 'teacher',
      architecture: 'toy-cnn-teacher',
      epochs: 3,
      onProgress: (p) => progress.push(p),
    });
    teacher = res.model;
    // Only the returned model's weights survive.
    expect(tf.memory().numTensors - before).toBe(res.model.weights.length);

    expect(res.accuracy).toBeGreaterThan(0.6); // chance = 0.25
    expect(res.predictions).toHaveLength(200);
    let hits = 0;
    res.predictions.forEach((p, i) => {
      if (p === data.test.labels[i]) hits++;
    });
    expect(res.accuracy).toBeCloseTo(hits / 200, 10);
    expect(res.classAccuracy).toHaveLength(4);
    for (const a of res.classAccuracy) expect(a).toBeGreaterThanOrEqual(0);
    expect(res.trainSeconds).toBeGreaterThan(0);
    expect(res.imagesPerSec).toBeCloseTo((3 * 400) / res.trainSeconds, 6);

    expect(progress).toHaveLength(3 * 13); // ceil(400 / 32) = 13 steps per epoch
    expect(progress[0]).toMatchObject({ epoch: 1, epochs: 3, step: 1, steps: 13 });
    expect(progress.at(-1)).toMatchObject({ epoch: 3, step: 13, fraction: 1 });
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]?.fraction ?? 0).toBeGreaterThan(progress[i - 1]?.fraction ?? 1);
    }
    for (const p of progress) expect(Number.isFinite(p.loss)).toBe(true);
    const firstLoss = progress.slice(0, 5).reduce((s, p) => s + p.loss, 0) / 5;
    const lastLoss = progress.slice(-5).reduce((s, p) => s + p.loss, 0) / 5;
    expect(lastLoss).toBeLessThan(firstLoss);
  });

  it('distils a student from the teacher without touching the teacher', async () => {
    if (teacher === undefined) throw new Error('teacher test must run first');
    const teacherBefore = snapshot(teacher);
    const before = tf.memory().numTensors;
    const res = await trainUnit({
      ...base,
      role: 'distilled',
      architecture: 'toy-cnn-student',
      epochs: 2,
      teacher,
      temperature: 2,
      alpha: 0.8,
    });
    expect(tf.memory().numTensors - before).toBe(res.model.weights.length);
    expect(res.accuracy).toBeGreaterThan(0.5);
    const teacherAfter = snapshot(teacher);
    teacherAfter.forEach((w, i) => {
      expect(w).toEqual(teacherBefore[i]);
    });
    res.model.dispose();
  });

  it("trains the same student from the teacher's cached logits as from the live teacher", async () => {
    const trained = teacher;
    if (trained === undefined) throw new Error('teacher test must run first');
    const logits = await teacherLogitsOn(trained, data.train);
    expect(logits).toHaveLength(data.train.count * 4);
    // Per example, the batch of 256 gives the numbers a batch of 32 gives.
    const direct = tf.tidy(() =>
      (
        trained.predict(
          tf.tensor4d(data.train.images.subarray(0, 3 * 16 * 16 * 3), [3, 16, 16, 3]),
        ) as tf.Tensor
      ).dataSync(),
    );
    expect(Array.from(logits.subarray(0, 12))).toEqual(Array.from(direct));
    const opts: TrainUnitOptions = {
      ...base,
      role: 'distilled',
      architecture: 'toy-cnn-student',
      epochs: 2,
      temperature: 4,
      alpha: 0.8,
    };
    const live = await trainUnit({ ...opts, teacher });
    const before = tf.memory().numTensors;
    const cached = await trainUnit({ ...opts, teacherLogits: logits });
    expect(tf.memory().numTensors - before).toBe(cached.model.weights.length);
    expect(cached.finalLoss).toBe(live.finalLoss);
    expect(snapshot(cached.model)).toEqual(snapshot(live.model));
    expect(Array.from(cached.predictions)).toEqual(Array.from(live.predictions));
    for (const r of [live, cached]) r.model.dispose();

    await expect(trainUnit({ ...opts, teacher, teacherLogits: logits })).rejects.toThrow(
      /'teacher' or 'teacherLogits', not both/,
    );
    await expect(trainUnit({ ...opts, teacherLogits: logits.subarray(4) })).rejects.toThrow(
      /teacherLogits has 1596 values; the train split needs 400 examples × 4 classes = 1600/,
    );
    await expect(
      trainUnit({ ...opts, teacherLogits: logits, augment: { padding: 2 } }),
    ).rejects.toThrow(/cannot be used with 'augment'/);
    await expect(
      trainUnit({
        ...opts,
        role: 'student',
        temperature: undefined,
        alpha: undefined,
        teacherLogits: logits,
      }),
    ).rejects.toThrow(/'teacherLogits' is only used when role is 'distilled'/);
  });

  it('learns the shape itself, not only the colour shortcut', async () => {
    // With colorCorrelation 0 colour carries no label information.
    const shapeOnly = splitToyShapes(
      generateToyShapes({ count: 600, seed: 5, colorCorrelation: 0 }),
      400,
    );
    const res = await trainUnit({
      ...base,
      data: shapeOnly,
      learningRate: 0.005,
      role: 'teacher',
      architecture: 'toy-cnn-teacher',
      epochs: 4,
    });
    expect(res.accuracy).toBeGreaterThan(0.4);
    res.model.dispose();
  });

  it('is deterministic for a given seed', async () => {
    const opts: TrainUnitOptions = {
      ...base,
      role: 'student',
      architecture: 'toy-cnn-student',
      epochs: 1,
    };
    const a = await trainUnit(opts);
    const b = await trainUnit(opts);
    expect(b.finalLoss).toBe(a.finalLoss);
    expect(Array.from(b.predictions)).toEqual(Array.from(a.predictions));
    a.model.dispose();
    b.model.dispose();
  });

  it('augments training batches reproducibly (seeded by seed, epoch and step)', async () => {
    const opts: TrainUnitOptions = {
      ...base,
      role: 'student',
      architecture: 'toy-cnn-student',
      epochs: 1,
      augment: { padding: 2 },
    };
    const plain = await trainUnit({ ...opts, augment: undefined });
    const a = await trainUnit(opts);
    const b = await trainUnit(opts);
    expect(snapshot(b.model)).toEqual(snapshot(a.model));
    // The crops and flips change what the model saw, so the weights differ from plain training.
    expect(snapshot(a.model)).not.toEqual(snapshot(plain.model));
    for (const r of [plain, a, b]) r.model.dispose();
    await expect(trainUnit({ ...opts, augment: { padding: 16 } })).rejects.toThrow(
      /augment\.padding must be an integer in \[0, 16\)/,
    );
  });

  it('rejects bad options before allocating anything', async () => {
    const student = { ...base, architecture: 'toy-cnn-student', epochs: 1 } as const;
    const wrongTeacher = buildModel('toy-cnn-teacher', { imageSize: 16, numClasses: 3, seed: 1 });
    const before = tf.memory().numTensors;
    await expect(trainUnit({ ...student, role: 'distilled', temperature: 2 })).rejects.toThrow(
      /requires a trained 'teacher' model or 'teacherLogits'/,
    );
    await expect(
      trainUnit({ ...student, role: 'distilled', teacher: wrongTeacher }),
    ).rejects.toThrow(/requires a 'temperature'/);
    await expect(
      trainUnit({ ...student, role: 'distilled', teacher: wrongTeacher, temperature: 2 }),
    ).rejects.toThrow(/does not match numClasses 4/);
    await expect(
      trainUnit({ ...student, role: 'distilled', teacher: wrongTeacher, temperature: -1 }),
    ).rejects.toThrow(/temperature must be/);
    await expect(
      trainUnit({
        ...student,
        role: 'distilled',
        teacher: wrongTeacher,
        temperature: 2,
        alpha: 1.5,
      }),
    ).rejects.toThrow(/alpha must be in \[0, 1\]/);
    await expect(trainUnit({ ...student, role: 'student', temperature: 2 })).rejects.toThrow(
      /'temperature' is only used when role is 'distilled'/,
    );
    await expect(trainUnit({ ...student, role: 'student', teacher: wrongTeacher })).rejects.toThrow(
      /'teacher' is only used/,
    );
    await expect(trainUnit({ ...student, role: 'student', epochs: 0 })).rejects.toThrow(/epochs/);
    await expect(trainUnit({ ...student, role: 'student', learningRate: 0 })).rejects.toThrow(
      /learningRate/,
    );
    const badLabels = { ...data.train, labels: data.train.labels.map((l, i) => (i === 0 ? 9 : l)) };
    await expect(
      trainUnit({ ...student, role: 'student', data: { train: badLabels, test: data.test } }),
    ).rejects.toThrow(/label 9 outside \[0, 4\)/);
    expect(tf.memory().numTensors).toBe(before);
    wrongTeacher.dispose();
  });

  it('stops on abort and frees everything', async () => {
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    let steps = 0;
    const run = trainUnit({
      ...base,
      role: 'student',
      architecture: 'toy-cnn-student',
      epochs: 5,
      signal: controller.signal,
      onProgress: () => {
        steps++;
        if (steps === 2) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(steps).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  describe('schedules, checkpoints and resume', () => {
    // Tiny on purpose: 96 training images, 3 steps per epoch.
    const small = splitToyShapes(generateToyShapes({ count: 136, seed: 3 }), 96);
    const run = { ...base, data: small, role: 'student', architecture: 'toy-cnn-student' } as const;
    let root = '';

    beforeAll(async () => {
      root = await mkdtemp(path.join(tmpdir(), 'kdlens-train-'));
    });

    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
    });

    const setups = [
      {
        label: 'SGD Nesterov + L2, step schedule with warm-up',
        optimizer: { name: 'sgd', nesterov: true, weightDecay: 5e-4 },
        schedule: { name: 'step', milestones: [4], gamma: 0.1, warmupSteps: 2 },
      },
      {
        label: 'AdamW + cosine',
        optimizer: { name: 'adamw', weightDecay: 0.05 },
        schedule: { name: 'cosine', minLr: 1e-4 },
      },
    ] as const;

    for (const setup of setups) {
      it(`resuming after epoch 1 ends bit-identical to 2 straight epochs (${setup.label})`, async () => {
        const opts: TrainUnitOptions = {
          ...run,
          epochs: 2,
          optimizer: setup.optimizer,
          schedule: setup.schedule,
        };
        const straight = await trainUnit(opts);

        // "Process" 1: killed right after epoch 1 was checkpointed.
        const dir = path.join(root, setup.optimizer.name);
        await trainUntilStoppedAfterEpoch1(opts, dir);
        // "Process" 2: builds a fresh model and continues from the checkpoint.
        const progress: TrainProgress[] = [];
        const resumed = await trainUnit({
          ...opts,
          checkpointDir: dir,
          resume: true,
          onProgress: (p) => progress.push(p),
        });

        expect(resumed.resumedFromEpoch).toBe(1);
        // The curve survives the interruption: epoch 1 from the checkpoint, epoch 2 trained now.
        expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2]);
        expect(resumed.history[0]?.loss).toBe(straight.history[0]?.loss);
        expect(resumed.history[1]?.loss).toBe(straight.history[1]?.loss);
        expect(progress.map((p) => p.epoch)).toEqual([2, 2, 2]);
        expect(snapshot(resumed.model)).toEqual(snapshot(straight.model));
        expect(resumed.finalLoss).toBe(straight.finalLoss);
        expect(Array.from(resumed.predictions)).toEqual(Array.from(straight.predictions));
        straight.model.dispose();
        resumed.model.dispose();
      });
    }

    it('a distilled student resumed after epoch 1 ends bit-identical to 2 straight epochs', async () => {
      // The distillation loss's fused pass on the resume path: soft targets from cached logits.
      const rng = createRng(11);
      const teacherLogits = Float32Array.from({ length: small.train.count * 4 }, () =>
        rng.uniform(-3, 3),
      );
      const opts: TrainUnitOptions = {
        ...run,
        role: 'distilled',
        epochs: 2,
        temperature: 4,
        alpha: 0.8,
        teacherLogits,
        optimizer: { name: 'adam' },
      };
      const straight = await trainUnit(opts);
      const dir = path.join(root, 'distilled');
      await trainUntilStoppedAfterEpoch1(opts, dir);
      const resumed = await trainUnit({ ...opts, checkpointDir: dir, resume: true });
      expect(resumed.resumedFromEpoch).toBe(1);
      expect(resumed.history.map((h) => h.loss)).toEqual(straight.history.map((h) => h.loss));
      expect(snapshot(resumed.model)).toEqual(snapshot(straight.model));
      expect(Array.from(resumed.predictions)).toEqual(Array.from(straight.predictions));
      straight.model.dispose();
      resumed.model.dispose();
    });

    it('refuses a checkpoint of another architecture before training', async () => {
      const dir = path.join(root, 'mismatch');
      const first = await trainUnit({ ...run, epochs: 1, checkpointDir: dir });
      first.model.dispose();
      const before = tf.memory().numTensors;
      let steps = 0;
      await expect(
        trainUnit({
          ...run,
          architecture: 'toy-cnn-teacher',
          epochs: 2,
          checkpointDir: dir,
          resume: true,
          onProgress: () => steps++,
        }),
      ).rejects.toThrow(
        `checkpoint ${dir} is for toy-cnn-student 16×16×3 (4 classes, seed 1, adam), this run is toy-cnn-teacher 16×16×3`,
      );
      expect(steps).toBe(0);
      expect(tf.memory().numTensors).toBe(before);
      await expect(trainUnit({ ...run, epochs: 1, resume: true })).rejects.toThrow(
        /'resume' needs a 'checkpointDir'/,
      );
    });

    it('keeps the tensor count flat across epochs and returns test probabilities', async () => {
      const counts: number[] = [];
      const res = await trainUnit({
        ...run,
        epochs: 3,
        optimizer: { name: 'sgd', weightDecay: 1e-4 },
        schedule: { name: 'cosine' },
        checkpointDir: path.join(root, 'memory'),
        onProgress: (p) => {
          if (p.step === p.steps) counts.push(tf.memory().numTensors);
        },
      });
      // Momentum slots appear during epoch 1; from then on nothing accumulates.
      expect(counts).toHaveLength(3);
      expect(counts[2]).toBe(counts[1]);
      expect(counts[1]).toBe(counts[0]);

      const { probabilities } = res;
      if (probabilities.kind !== 'dense')
        throw new Error('4 classes should give dense probabilities');
      expect(probabilities.values).toHaveLength(small.test.count * 4);
      for (let i = 0; i < small.test.count; i++) {
        const row = Array.from(probabilities.values.subarray(i * 4, i * 4 + 4));
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(row.indexOf(Math.max(...row))).toBe(res.predictions[i]);
      }
      res.model.dispose();
    });
  });
});
