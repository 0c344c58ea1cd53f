/**
 * A teacher's trained weights travel through the warehouse (run_artifacts 'weights'), so the
 * distilled students of its seed can run on any worker machine, after the teacher's own worker
 * has moved on or gone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type ExperimentSpec, KdlensError } from '@kdlens/core';
import {
  type Database,
  listRunsOfExperiments,
  readRunArtifact,
  writeRunArtifact,
} from '@kdlens/core/db';
import type * as tf from '@tensorflow/tfjs';
import { loadPretrainedWeights, saveModelWeights } from '../engine/index.ts';
import { buildArchitecture } from '../engine/models/index.ts';
import { inputLayout } from '../engine/training/splits.ts';
import { createDirectoryUnpacker, directoryBundleChunks } from './directory-bundle.ts';
import type { StudyData } from './load-study-data.ts';

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-weights-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function storeTeacherWeights(
  db: Database,
  runId: string,
  model: tf.LayersModel,
  architecture: string,
  claim: { worker: string },
): Promise<void> {
  // Streamed from the saved files: a large model's weights are never whole in memory twice.
  await withTempDir(async (dir) => {
    await saveModelWeights(model, dir);
    await writeRunArtifact(
      db,
      runId,
      'weights',
      directoryBundleChunks(dir),
      { architecture, format: 'tfjs-layers' },
      { claim },
    );
  });
}

/** The id of the succeeded teacher run of `seed`; an error when it has not succeeded (yet). */
export async function succeededTeacherRun(
  db: Database,
  experimentId: string,
  seed: number,
): Promise<string> {
  const runs = await listRunsOfExperiments(db, [experimentId]);
  const teacher = runs.find((r) => r.role === 'teacher' && r.seed === seed);
  if (teacher?.status !== 'succeeded') {
    throw new KdlensError(`the teacher of seed ${seed} has not succeeded; it must train first`);
  }
  return teacher.id;
}

/** The trained teacher of `seed` (run `teacherRunId`), rebuilt from the spec and its stored weights. */
export async function loadTeacher(
  db: Database,
  teacherRunId: string,
  seed: number,
  spec: ExperimentSpec,
  data: StudyData,
): Promise<tf.LayersModel> {
  return withTempDir(async (dir) => {
    const unpacker = createDirectoryUnpacker(dir);
    try {
      const artifact = await readRunArtifact(db, teacherRunId, 'weights', (c) => unpacker.write(c));
      if (artifact === undefined) {
        throw new KdlensError(
          `the teacher of seed ${seed} (run ${teacherRunId}) has no stored weights; it was trained before weights were kept: cancel and delete the experiment, then run the spec again`,
        );
      }
      await unpacker.end();
    } finally {
      await unpacker.discard();
    }
    const model = buildArchitecture(spec.teacher.architecture, {
      ...spec.teacher.options,
      ...(data.vocabSize === undefined ? {} : { vocabSize: data.vocabSize }),
      inputShape: inputLayout(data.train).shape,
      numClasses: data.numClasses,
      seed,
    });
    try {
      await loadPretrainedWeights(model, dir);
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model;
  });
}
