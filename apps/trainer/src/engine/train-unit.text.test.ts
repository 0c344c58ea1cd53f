import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';
import { type TrainProgress, type TrainUnitOptions, trainUnit } from './train-unit.ts';
import { trainUntilStoppedAfterEpoch1 } from './training/interrupted-run.test-support.ts';
import { KEYWORD, KEYWORD_VOCAB, keywordTexts } from './training/keyword-text.test-support.ts';

const data = { train: keywordTexts(160, 6, 1), test: keywordTexts(64, 6, 2) };
const tiny = {
  vocabSize: KEYWORD_VOCAB,
  // transformer
  dModel: 16,
  numHeads: 2,
  numLayers: 1,
  ffDim: 32,
  dropout: 0,
  // bigru
  embeddingDim: 8,
  units: 8,
};
const base = {
  data,
  batchSize: 32,
  learningRate: 0.01,
  seed: 4,
  modelOptions: tiny,
} as const;

function snapshot(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

// wasm trains text with KDLens' UnsortedSegmentSum (the embedding gradient, which the package
// lacks) and its Tile-gradient and BatchMatMul replacements; cpu is the reference.
describe.each(['cpu', 'wasm'] as const)('trainUnit on token ids (%s backend)', (backend) => {
  let teacher: tf.LayersModel | undefined;

  beforeAll(async () => {
    await initBackend(backend);
  });
  afterAll(() => teacher?.dispose());

  it(`a transformer learns "token ${KEYWORD} occurs", with flat memory and features`, async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const res = await trainUnit({
      ...base,
      role: 'teacher',
      architecture: 'transformer',
      epochs: 4,
      learningRate: 0.005,
      evaluateEvery: 2,
      features: true,
      onEpoch: () => counts.push(tf.memory().numTensors),
    });
    teacher = res.model;
    expect(res.accuracy).toBeGreaterThan(0.9); // chance 0.5
    // Adam slots appear in epoch 1; from then on nothing accumulates, evaluations included.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors - before).toBe(res.model.weights.length);
    // The classifier reads the mean-pooled dModel-wide encoding.
    expect(res.features?.d).toBe(16);
    expect(res.features?.values).toHaveLength(64 * 16);
    expect(res.history.map((h) => h.evalAccuracy !== undefined)).toEqual([
      false,
      true,
      false,
      true,
    ]);
    // No val split: the last evaluation is the final test score.
    expect(res.history.at(-1)?.evalAccuracy).toBeCloseTo(res.accuracy, 10);
  });

  it('a BiGRU learns it too', async () => {
    const res = await trainUnit({
      ...base,
      role: 'student',
      architecture: 'bigru',
      epochs: 4,
      learningRate: 0.03,
    });
    expect(res.accuracy).toBeGreaterThan(0.9);
    res.model.dispose();
  });

  it('is deterministic for a seed', async () => {
    const opts: TrainUnitOptions = {
      ...base,
      data: { train: keywordTexts(48, 6, 3), test: keywordTexts(8, 6, 4) },
      role: 'student',
      architecture: 'bigru',
      epochs: 1,
      batchSize: 16,
    };
    const a = await trainUnit(opts);
    const b = await trainUnit(opts);
    expect(snapshot(b.model)).toEqual(snapshot(a.model));
    expect(b.finalLoss).toBe(a.finalLoss);
    a.model.dispose();
    b.model.dispose();
  });

  it('resumes a transformer with dropout bit-identically (masks follow the global step)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kdlens-text-resume-'));
    const opts: TrainUnitOptions = {
      ...base,
      data: { train: keywordTexts(48, 6, 5), test: keywordTexts(8, 6, 6) },
      modelOptions: { ...tiny, dropout: 0.2 },
      role: 'student',
      architecture: 'transformer',
      epochs: 2,
      batchSize: 16,
    };
    try {
      const straight = await trainUnit(opts);
      await trainUntilStoppedAfterEpoch1(opts, dir);
      const resumed = await trainUnit({ ...opts, checkpointDir: dir, resume: true });
      expect(resumed.resumedFromEpoch).toBe(1);
      expect(snapshot(resumed.model)).toEqual(snapshot(straight.model));
      straight.model.dispose();
      resumed.model.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('distils a BiGRU student from the transformer teacher without touching it', async () => {
    if (teacher === undefined) throw new Error('teacher test must run first');
    const teacherBefore = snapshot(teacher);
    const before = tf.memory().numTensors;
    const progress: TrainProgress[] = [];
    const res = await trainUnit({
      ...base,
      role: 'distilled',
      architecture: 'bigru',
      epochs: 4,
      learningRate: 0.03,
      teacher,
      temperature: 2,
      alpha: 0.5,
      features: true,
      onProgress: (p) => progress.push(p),
    });
    expect(res.accuracy).toBeGreaterThan(0.85);
    // Both directions' final states, concatenated: 2 × 8 units.
    expect(res.features?.d).toBe(16);
    expect(tf.memory().numTensors - before).toBe(res.model.weights.length);
    expect(snapshot(teacher)).toEqual(teacherBefore);
    for (const p of progress) expect(p.accuracy).toBeGreaterThanOrEqual(0);
    res.model.dispose();
  });

  it('refuses an image teacher for a text student, and token ids outside the vocabulary', async () => {
    const imageTeacher = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [6, 1] }), tf.layers.dense({ units: 2 })],
    });
    const before = tf.memory().numTensors;
    await expect(
      trainUnit({
        ...base,
        role: 'distilled',
        architecture: 'bigru',
        epochs: 1,
        teacher: imageTeacher,
        temperature: 2,
      }),
    ).rejects.toThrow('teacher input shape [*, 6, 1] does not match the text data [*, 6]');
    await expect(
      trainUnit({
        ...base,
        role: 'student',
        architecture: 'bigru',
        epochs: 1,
        modelOptions: { ...tiny, vocabSize: 7 },
      }),
    ).rejects.toThrow(
      /data\.train\.tokens has id (7|8|9|10|11) \(example \d+, position \d+\) outside the vocabulary \[0, 7\)/,
    );
    expect(tf.memory().numTensors).toBe(before);
    imageTeacher.dispose();
  });
});

describe('trainUnit on token ids, backend without UnsortedSegmentSum', () => {
  it('says so up front instead of failing mid-step', async () => {
    await initBackend('wasm');
    const kernel = tf.getKernel('UnsortedSegmentSum', 'wasm');
    if (kernel === undefined) throw new Error('initBackend should have registered it');
    // As if the wasm package had been set up without initBackend's kernels.
    tf.unregisterKernel('UnsortedSegmentSum', 'wasm');
    try {
      await expect(
        trainUnit({ ...base, role: 'student', architecture: 'bigru', epochs: 1 }),
      ).rejects.toThrow(
        "text models need the UnsortedSegmentSum kernel (embedding gradient), which the 'wasm' backend lacks",
      );
    } finally {
      tf.registerKernel(kernel);
    }
  });
});
