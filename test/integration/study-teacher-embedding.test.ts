/**
 * A study whose individual fairness is measured in the teacher's embedding space
 * (`evaluation.individualFairness.features: teacher-embedding`) trained end to end through the
 * CLI: the first teacher to succeed stores its penultimate-layer features of the test set as the
 * test set's features, and the study summary gets its individual-fairness table. The stored
 * embedding is checked against the teacher computed here by hand from its stored weights.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findExperimentByName, listRunsOfExperiments } from '@kdlens/core/db';
import {
  getStudySummary,
  loadTestSet,
  recordTestSet,
  recordTestSetFeatures,
} from '@kdlens/core/results';
import { readStudySpec } from '@kdlens/core/study';
import { initBackend, loadStudyData, loadTeacher } from '@kdlens/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  t = await createTestDatabase('teacher_embedding');
  dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-embedding-'));
});
afterAll(async () => {
  await t?.drop();
  await rm(dir, { recursive: true, force: true });
});

const TEST_COUNT = 48;
// The teacher is an MLP with hidden layers of 12 and 10 units: its embedding is the 10 ReLU
// outputs that feed the classifier, simple enough to compute by hand from its weights.
const spec = `name: embedding-study
dataset:
  name: trifeature
  label: shape
  sensitive: [color]
  imageSize: 8
  generator: { seed: 3, trainCount: 96, testCount: ${TEST_COUNT}, correlation: 0.8, testCorrelation: 0 }
teacher: { architecture: mlp, epochs: 1, batchSize: 32, learningRate: 0.003, options: { hidden: [12, 10] } }
student: { architecture: mlp, epochs: 1, batchSize: 32, learningRate: 0.003, options: { hidden: [8] } }
kd: { temperatures: [2] }
seeds: 2
evaluation: { individualFairness: { features: teacher-embedding, pairs: 100, neighbors: 3 } }
backend: cpu
`;

/** Dense layers by hand, in float64: relu(x W + b) for each hidden layer, row-major weights. */
function embeddingByHand(
  images: Float32Array,
  n: number,
  layers: { kernel: Float32Array; bias: Float32Array; inputs: number; units: number }[],
): Float64Array[] {
  const size = images.length / n;
  return Array.from({ length: n }, (_, i) => {
    let x: Float64Array = Float64Array.from(images.subarray(i * size, (i + 1) * size));
    for (const layer of layers) {
      const out = new Float64Array(layer.units);
      for (let u = 0; u < layer.units; u++) {
        let s = layer.bias[u] as number;
        for (let k = 0; k < layer.inputs; k++) {
          s += (x[k] as number) * (layer.kernel[k * layer.units + u] as number);
        }
        out[u] = Math.max(0, s);
      }
      x = out;
    }
    return x;
  });
}

describe('teacher-embedding individual fairness', () => {
  it('stores the first teacher’s test-set embedding as the test set features, once', async () => {
    const file = path.join(dir, 'embedding.yaml');
    await writeFile(file, spec);
    const env = { DATABASE_URL: t.url, LOG_LEVEL: 'info' };
    const run = await runCli(['run', file, '--local', '--concurrency', '2'], env, 180_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('embedding-study: succeeded');

    const db = t.warehouse.db;
    const experiment = await findExperimentByName(db, 'embedding-study');
    if (!experiment) throw new Error('no experiment');
    const testSet = await loadTestSet(db, experiment.id, { features: true });
    if (!testSet?.features) throw new Error('the test set has no features');
    // Shape: test examples × the teacher's embedding width.
    expect(testSet.examples).toBe(TEST_COUNT);
    expect(testSet.features.d).toBe(10);
    expect(testSet.features.values).toHaveLength(TEST_COUNT * 10);

    // Each teacher's embedding, by hand from its stored weights; the stored one is one of them
    // (whichever teacher succeeded first), to float32 precision.
    await initBackend('cpu');
    const studySpec = await readStudySpec(db, experiment.id);
    const data = await loadStudyData(studySpec, []);
    if (data.test.kind === 'text') throw new Error('expected images');
    const images = data.test.images;
    const teachers = (await listRunsOfExperiments(db, [experiment.id])).filter(
      (r) => r.role === 'teacher',
    );
    expect(teachers).toHaveLength(2);
    const byHand = [];
    for (const teacher of teachers) {
      const model = await loadTeacher(db, teacher.id, teacher.seed, studySpec, data);
      const weights = model.getWeights();
      const layers = [0, 2].map((w) => {
        const kernel = weights[w];
        const bias = weights[w + 1];
        if (!kernel || !bias) throw new Error('missing weights');
        return {
          kernel: kernel.dataSync() as Float32Array,
          bias: bias.dataSync() as Float32Array,
          inputs: kernel.shape[0] as number,
          units: kernel.shape[1] as number,
        };
      });
      expect(layers.map((l) => [l.inputs, l.units])).toEqual([
        [8 * 8 * 3, 12],
        [12, 10],
      ]);
      byHand.push(embeddingByHand(images, TEST_COUNT, layers));
      model.dispose();
    }
    const maxError = (rows: Float64Array[]) => {
      let worst = 0;
      rows.forEach((row, i) => {
        row.forEach((v, j) => {
          const stored = testSet.features?.values[i * 10 + j] as number;
          worst = Math.max(worst, Math.abs(stored - v) / (1 + Math.abs(v)));
        });
      });
      return worst;
    };
    const errors = byHand.map(maxError);
    // One teacher matches to float32 rounding; the other (another seed) does not.
    expect(Math.min(...errors)).toBeLessThan(1e-5);
    expect(Math.max(...errors)).toBeGreaterThan(1e-2);

    // The summary measured every arm's individual fairness in that space.
    const summary = await getStudySummary(db, experiment.id);
    expect(summary?.stale).toBe(false);
    const individual = summary?.summary.individualFairness;
    expect(individual?.map((a) => a.role).sort()).toEqual(['distilled', 'student', 'teacher']);

    // Only the teachers kept their penultimate features with their predictions.
    const kept = await db.$client.query<{ role: string; d: number | null }>(
      `select r.role, p.feature_dim as d from run_predictions p join runs r on r.id = p.run_id
        where r.experiment_id = $1`,
      [experiment.id],
    );
    expect(kept.rows.map((r) => [r.role, r.d]).sort()).toEqual([
      ['distilled', null],
      ['distilled', null],
      ['student', null],
      ['student', null],
      ['teacher', 10],
      ['teacher', 10],
    ]);

    // Idempotent: the same test set recorded again keeps the features, and a second embedding
    // (the other teacher's) is refused as already present.
    expect((await recordTestSet(db, experiment.id, data.testSet)).status).toBe('unchanged');
    const other = await recordTestSetFeatures(db, experiment.id, {
      values: new Float32Array(TEST_COUNT * 10),
      d: 10,
    });
    expect(other?.status).toBe('present');
    const after = await loadTestSet(db, experiment.id, { features: true });
    expect(after?.digest).toBe(testSet.digest);
    expect(after?.features?.values).toEqual(testSet.features.values);
  });
});
