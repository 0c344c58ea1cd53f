/**
 * A teacher's logits on the training split travel through the warehouse (run_artifacts
 * 'teacher-logits'), so the distilled students of its seed read their soft targets instead of
 * running the teacher on every batch of every epoch: with T = 1, 4, 10 that forward pass was
 * computed three times per seed and epoch for the same images. Logits do not depend on T, so one
 * array serves every temperature. Cached and live distillation train the same student (see
 * teacherLogitsOn), so a study may mix them, and each distilled run records which it used.
 */
import { createHash } from 'node:crypto';
import type { ExperimentSpec } from '@kdlens/core';
import { type Database, getRunArtifact, putRunArtifact } from '@kdlens/core/db';
import type * as tf from '@tensorflow/tfjs';
import { teacherLogitsOn } from '../engine/index.ts';
import { splitValues } from '../engine/training/splits.ts';
import type { StudyData } from './load-study-data.ts';

/**
 * The largest cache, in values (examples × classes): 32 Mi float32 = 128 MiB, which CIFAR-100's
 * 50,000 × 100 (5 M) and Fashion-MNIST fit easily; ImageNet's 1.28 M × 1,000 (5 GB) does not, and
 * its students run the teacher live.
 */
export const MAX_CACHED_TEACHER_LOGITS = 32 * 1024 * 1024;

/** Why the teacher runs live for this spec and data, or undefined when its logits can be cached. */
export function liveTeacherReason(spec: ExperimentSpec, data: StudyData): string | undefined {
  if (spec.dataset.augment !== undefined) {
    return 'the training batches are augmented, so the teacher must see each one';
  }
  const values = data.train.count * data.numClasses;
  if (values > MAX_CACHED_TEACHER_LOGITS) {
    return `${data.train.count} examples × ${data.numClasses} classes is more than the ${MAX_CACHED_TEACHER_LOGITS}-value cache`;
  }
  return undefined;
}

/**
 * SHA-256 of the training split as this machine loaded it (labels and inputs): logits are only
 * reused for the very images they were computed on. Workers read data from their own roots, and
 * a copy with the same size but other contents or order must not pass.
 */
export function trainSplitDigest(data: StudyData): string {
  const { train } = data;
  const inputs = splitValues(train);
  const hash = createHash('sha256');
  hash.update(`${train.count}:${data.numClasses}:`);
  hash.update(
    new Uint8Array(train.labels.buffer, train.labels.byteOffset, train.labels.byteLength),
  );
  hash.update(new Uint8Array(inputs.buffer, inputs.byteOffset, inputs.byteLength));
  return hash.digest('hex');
}

/** Computes the teacher's logits on the training split and stores them on the teacher's run. */
export async function storeTeacherLogits(
  db: Database,
  teacherRunId: string,
  teacher: tf.LayersModel,
  data: StudyData,
  opts: { signal?: AbortSignal; claim?: { worker: string } } = {},
): Promise<Float32Array> {
  const logits = await teacherLogitsOn(teacher, data.train, opts.signal);
  const bytes = new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength);
  await putRunArtifact(
    db,
    teacherRunId,
    'teacher-logits',
    bytes,
    {
      format: 'float32-le',
      examples: data.train.count,
      classes: data.numClasses,
      trainDigest: trainSplitDigest(data),
    },
    opts.claim === undefined ? {} : { claim: opts.claim },
  );
  return logits;
}

/**
 * The stored logits of a teacher's run, or undefined when there are none or they were not computed
 * on this very split (a teacher trained before the cache existed, or a worker whose copy of the
 * data differs): the caller then computes them from the teacher's weights on its own data.
 */
export async function readTeacherLogits(
  db: Database,
  teacherRunId: string,
  data: StudyData,
): Promise<Float32Array | undefined> {
  const artifact = await getRunArtifact(db, teacherRunId, 'teacher-logits');
  if (artifact === undefined) return undefined;
  const { examples, classes, format, trainDigest } = artifact.metadata;
  const values = data.train.count * data.numClasses;
  if (
    format !== 'float32-le' ||
    examples !== data.train.count ||
    classes !== data.numClasses ||
    artifact.bytes.byteLength !== values * 4 ||
    trainDigest !== trainSplitDigest(data)
  ) {
    return undefined;
  }
  const { bytes } = artifact;
  // A view when the bytes are aligned for floats, else one copy (pg's small buffers share a slab).
  return bytes.byteOffset % 4 === 0
    ? new Float32Array(bytes.buffer, bytes.byteOffset, values)
    : new Float32Array(new Uint8Array(bytes).buffer);
}
